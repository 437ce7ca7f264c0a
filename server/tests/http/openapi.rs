//! The served OpenAPI document against the router that serves it, in both directions: every
//! operation the document lists is answered by a route, and every route the router has under
//! `/api` (and `/healthz`) is in the document, with no method the document leaves out.
//!
//! Both routes and document come from one registration (`api::routes`), so these tests are
//! what keeps it honest from the outside. The whole server's router is called in-process with
//! `oneshot`, wrapped in a `route_layer` that marks every response a route's handler produced:
//! a request that matches no route (the site's fallback answers) or only a route of another
//! method (405) comes back unmarked. axum has no API that lists a router's paths, but its
//! `Debug` output names every one; the tests read them from there.

use crate::support::args;
use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, Response, StatusCode};
use axum::Router;
use gaillery_server::startup;
use serde_json::Value;
use std::collections::BTreeSet;
use tower::ServiceExt;

const ROUTED: &str = "x-test-routed";

/// The whole server's router, with every response of a matched route marked.
async fn marked_router(data_dir: &std::path::Path) -> Router {
    let app = startup::build(&args(data_dir))
        .await
        .expect("server builds");
    app.router.route_layer(axum::middleware::map_response(
        |mut response: Response<Body>| async move {
            response
                .headers_mut()
                .insert(ROUTED, HeaderValue::from_static("yes"));
            response
        },
    ))
}

async fn call(router: &Router, method: Method, uri: &str) -> Response<Body> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    router.clone().oneshot(request).await.expect("infallible")
}

async fn served_document(router: &Router) -> Value {
    let response = call(router, Method::GET, "/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("document body");
    serde_json::from_slice(&body).expect("the document is JSON")
}

const METHODS: [&str; 7] = ["get", "post", "put", "delete", "patch", "options", "trace"];

/// Each path of the document with the methods it lists.
fn documented_operations(document: &Value) -> Vec<(String, BTreeSet<String>)> {
    let paths = document["paths"].as_object().expect("paths");
    paths
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|method| item[**method].is_object())
                .map(|method| method.to_string())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// A schema, following a `$ref` into the document's components.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// A value the parameter accepts: its first allowed value, else a valid photo id (or word).
fn sample(document: &Value, parameter: &Value) -> String {
    let schema = resolve(document, &parameter["schema"]);
    match schema["enum"].get(0).and_then(Value::as_str) {
        Some(value) => value.to_owned(),
        None => "0".to_owned(),
    }
}

/// `path` with its `{parameters}` filled in, and the required query parameters added.
fn sample_uri(document: &Value, path: &str, method: &str) -> String {
    let parameters = document["paths"][path][method]["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut uri = path.to_owned();
    let mut query = Vec::new();
    for parameter in &parameters {
        let name = parameter["name"].as_str().expect("parameter name");
        match parameter["in"].as_str() {
            Some("path") => uri = uri.replace(&format!("{{{name}}}"), &sample(document, parameter)),
            Some("query") if parameter["required"] == true => {
                query.push(format!("{name}={}", sample(document, parameter)))
            }
            _ => {}
        }
    }
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    uri
}

/// The paths the router serves that are the API's rather than the site's.
fn routed_api_paths(router: &Router) -> BTreeSet<String> {
    format!("{router:?}")
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|text| text.starts_with("/api/") || *text == "/healthz")
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_operations_are_each_answered_by_their_route() {
    let dir = tempfile::tempdir().unwrap();
    let router = marked_router(dir.path()).await;
    let document = served_document(&router).await;
    let operations = documented_operations(&document);
    assert!(operations.len() >= 8, "{operations:?}");
    for (path, methods) in operations {
        for method in methods {
            let uri = sample_uri(&document, &path, &method);
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let response = call(&router, verb, &uri).await;
            assert!(
                response.headers().contains_key(ROUTED)
                    && response.status() != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} ({path}) is documented but no route answered: {}",
                response.status()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route_and_method_of_the_router() {
    let dir = tempfile::tempdir().unwrap();
    let router = marked_router(dir.path()).await;
    let document = served_document(&router).await;
    let operations = documented_operations(&document);

    let routed = routed_api_paths(&router);
    assert!(
        routed.contains("/api/photos"),
        "the router's paths could not be read from its Debug output: {routed:?}"
    );
    let documented: BTreeSet<String> = operations.iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(routed, documented, "routed paths versus documented paths");

    // A method the document leaves out of a path is refused by the route: 405.
    for (path, methods) in &operations {
        for method in METHODS.iter().filter(|m| !methods.contains(**m)) {
            let documented_method = methods.iter().next().expect("a path has a method");
            let uri = sample_uri(&document, path, documented_method);
            let verb = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let status = call(&router, verb, &uri).await.status();
            assert_eq!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri} ({path}) is not documented but answered"
            );
        }
    }
}

/// The routes anyone may call: liveness, this document, the first run and signing in.
const PUBLIC: [(&str, &str); 8] = [
    ("/healthz", "get"),
    ("/api/openapi.json", "get"),
    ("/api/setup", "post"),
    ("/api/session", "post"),
    ("/api/shared/{token}", "get"),
    ("/api/shared/{token}/photos", "get"),
    ("/api/shared/{token}/photos/{id}/{variant}", "get"),
    ("/api/shared/{token}/unlock", "post"),
];

/// The API built without the layer that authenticates: every other route refuses, even with a
/// credential, because a handler can only learn its caller from that layer. A route that read
/// an owner some other way would answer here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_authentication_layer_every_private_route_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let app = startup::build(&args(dir.path()))
        .await
        .expect("server builds");
    let api = gaillery_server::api::router(app.state.clone());
    let document = served_document(&api).await;
    let mut refused = 0;
    for (path, methods) in documented_operations(&document) {
        for method in methods {
            if PUBLIC.contains(&(path.as_str(), method.as_str())) {
                continue;
            }
            let uri = sample_uri(&document, &path, &method);
            let request = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
                .uri(&uri)
                .header("authorization", "Bearer gly_0000")
                .header("cookie", "gaillery_session=0000")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .expect("request");
            let response = api.clone().oneshot(request).await.expect("infallible");
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {uri} answered without knowing who asks"
            );
            refused += 1;
        }
    }
    assert!(
        refused >= 15,
        "only {refused} private operations were walked"
    );
}
