//! The OpenAPI 3.1 description of the JSON API, served at `GET /api/openapi.json`.
//!
//! Nothing here lists paths: `api::routes` registers each handler together with the
//! `#[utoipa::path]` written on it, and the API types in `gaillery-core` derive their schemas
//! (its `openapi` feature). This module adds what belongs to the document as a whole.

use axum::{Extension, Json};
use std::sync::Arc;
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

const DESCRIPTION: &str = "Upload, list, view and delete photos. Errors are JSON objects with \
an `error` message. Any request that needs storage may answer 503 with `Retry-After` while S3 \
or DynamoDB is unreachable or throttling.";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "GAiLLERY API",
        version = env!("CARGO_PKG_VERSION"),
        description = DESCRIPTION,
    ),
    // Path and query parameters and server-sent events: no request or response body names
    // them, so the routes do not bring their schemas.
    components(schemas(
        gaillery_core::PhotoId,
        gaillery_core::Variant,
        gaillery_core::TimelineOrder,
        gaillery_core::api::PhotoEvent
    )),
)]
struct BaseDocument;

/// An empty router whose document has the API's title, version and description; the routes
/// registered on it add their paths.
pub fn base<S>() -> OpenApiRouter<S>
where
    S: Send + Sync + Clone + 'static,
{
    OpenApiRouter::with_openapi(BaseDocument::openapi())
}

/// The document, as the routes built it; `api::router` hands it to this handler.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    summary = "This OpenAPI document",
    responses((status = 200, description = "The OpenAPI 3.1 description of the API", content_type = "application/json"))
)]
pub async fn serve(Extension(document): Extension<Arc<Document>>) -> Json<Document> {
    Json(Document::clone(&document))
}

/// `POST /api/photos`: the multipart form, described only (the handler reads the parts as they
/// stream).
#[derive(utoipa::ToSchema)]
pub struct UploadForm {
    /// One part per photo, each named `file`.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn document() -> Value {
        // The body limit shapes the routes, not the document.
        let document = crate::api::routes(1).into_openapi();
        serde_json::to_value(document).expect("the document serialises")
    }

    /// Every `$ref` anywhere in `value`.
    fn references(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(reference)) => found.push(reference.clone()),
                        _ => references(value, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| references(item, found)),
            _ => {}
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_with_the_crate_version() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["info"]["title"], "GAiLLERY API");
        assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn every_reference_names_a_schema_of_the_document() {
        let document = document();
        let mut found = Vec::new();
        references(&document, &mut found);
        assert!(!found.is_empty(), "the document uses its schemas");
        for reference in found {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{reference} points outside the document"));
            assert!(
                document["components"]["schemas"][name].is_object(),
                "{reference} has no schema"
            );
        }
    }

    #[test]
    fn the_upload_is_a_multipart_form_of_files() {
        let document = document();
        let body = &document["paths"]["/api/photos"]["post"]["requestBody"];
        assert_eq!(body["required"], true);
        let form = &body["content"]["multipart/form-data"]["schema"];
        assert_eq!(form["properties"]["file"]["type"], "array", "{form}");
        assert_eq!(
            form["properties"]["file"]["items"]["format"], "binary",
            "{form}"
        );
        let responses = &document["paths"]["/api/photos"]["post"]["responses"];
        for status in ["200", "201", "400", "413", "415", "422"] {
            assert!(responses[status].is_object(), "upload answers {status}");
        }
    }

    #[test]
    fn an_image_variant_is_one_of_the_url_segments() {
        let document = document();
        let parameters = &document["paths"]["/api/photos/{id}/{variant}"]["get"]["parameters"];
        let variant = parameters
            .as_array()
            .and_then(|all| all.iter().find(|p| p["name"] == "variant"))
            .expect("a variant parameter");
        let schema = match variant["schema"]["$ref"].as_str() {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/schemas/");
                document["components"]["schemas"][name].clone()
            }
            None => variant["schema"].clone(),
        };
        let segments: Vec<&str> = gaillery_core::Variant::ALL
            .iter()
            .map(|v| v.path_segment())
            .collect();
        assert_eq!(schema["enum"], serde_json::json!(segments));
    }
}
