//! Two people on one server: each sees, changes and deletes only their own photos. Every route
//! and server function that takes a photo id is walked as bob with alice's id, and must answer
//! exactly as it does for an id that does not exist (404, never 403: nothing tells bob the
//! photo is there); alice's photo is whole afterwards.

use crate::support::{upload_to, TestServer};
use gaillery_core::api::PhotoPage;
use gaillery_testkit as kit;
use reqwest::{Client, Method, StatusCode};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
/// An id of the right shape that no photo has.
const NO_SUCH_PHOTO: &str = "00000000000000000000000000";

/// A request: method, path, and a body with its content type.
type Attempt = (Method, String, Option<(&'static str, String)>);

/// What bob can try with a photo id: the JSON API's routes, then the page's server functions;
/// `album` is one of bob's own albums.
fn attempts(id: &str, album: &str) -> Vec<Attempt> {
    let form = |body: String| Some((FORM, body));
    let json = |body: String| Some((JSON, body));
    vec![
        (Method::GET, format!("/api/photos/{id}"), None),
        (Method::GET, format!("/api/photos/{id}/thumbnail"), None),
        (Method::GET, format!("/api/photos/{id}/thumbnail-2x"), None),
        (Method::GET, format!("/api/photos/{id}/preview"), None),
        (Method::GET, format!("/api/photos/{id}/original"), None),
        (Method::POST, format!("/api/photos/{id}/classify"), None),
        (
            Method::POST,
            format!("/api/photos/{id}/share"),
            json("{}".into()),
        ),
        (
            Method::POST,
            format!("/api/albums/{album}/photos"),
            json(format!(r#"{{"photo_ids": ["{id}"]}}"#)),
        ),
        (
            Method::DELETE,
            format!("/api/albums/{album}/photos/{id}"),
            None,
        ),
        (
            Method::PATCH,
            format!("/api/albums/{album}"),
            json(format!(r#"{{"cover": "{id}"}}"#)),
        ),
        (Method::DELETE, format!("/api/photos/{id}"), None),
        (
            Method::POST,
            "/_fn/get_photo".into(),
            form(format!("id={id}")),
        ),
        (
            Method::POST,
            "/_fn/reclassify_photo".into(),
            form(format!("id={id}")),
        ),
        (
            Method::POST,
            "/_fn/share_photo".into(),
            form(format!("id={id}&expires_in_days=0&password=")),
        ),
        (
            Method::POST,
            "/_fn/photo_links".into(),
            form(format!("id={id}")),
        ),
        (
            Method::POST,
            "/_fn/add_to_album".into(),
            form(format!("id={album}&photo_ids[0]={id}")),
        ),
        (
            Method::POST,
            "/_fn/remove_from_album".into(),
            form(format!("id={album}&photo_ids[0]={id}")),
        ),
        (
            Method::POST,
            "/_fn/set_album_cover".into(),
            form(format!("id={album}&photo_id={id}")),
        ),
        (
            Method::POST,
            "/_fn/delete_photos".into(),
            form(format!("ids[0]={id}")),
        ),
    ]
}

async fn answer(server: &TestServer, client: &Client, attempt: &Attempt) -> (StatusCode, String) {
    let (method, path, body) = attempt;
    let mut request = client.request(method.clone(), server.url(path));
    if let Some((content_type, body)) = body {
        request = request
            .header("content-type", *content_type)
            .body(body.clone());
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

async fn photos_of(server: &TestServer, client: &Client) -> Vec<String> {
    let page: PhotoPage = client
        .get(server.url("/api/photos"))
        .send()
        .await
        .expect("listing")
        .json()
        .await
        .expect("page");
    page.photos.into_iter().map(|p| p.id.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_photo_is_no_photo_on_every_route_and_server_function() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let alice = server.client.clone();
    let bob = server.add_user("bob").await;
    let url = server.url("/api/photos");
    let (status, uploaded) = upload_to(
        &alice,
        &url,
        [("alice.jpg".into(), kit::photo_jpeg(320, 240, 1))],
    )
    .await;
    assert_eq!(status, 201);
    let alices = uploaded.photos[0].id.to_string();
    let (status, _) = upload_to(
        &bob,
        &url,
        [("bob.jpg".into(), kit::photo_jpeg(320, 240, 2))],
    )
    .await;
    assert_eq!(status, 201);

    let album: serde_json::Value = bob
        .post(server.url("/api/albums"))
        .json(&serde_json::json!({ "title": "Bob's" }))
        .send()
        .await
        .expect("album")
        .json()
        .await
        .expect("album JSON");
    let album = album["id"].as_str().expect("album id").to_owned();
    let (mine, none) = (attempts(&alices, &album), attempts(NO_SUCH_PHOTO, &album));
    for (theirs, none) in mine.iter().zip(none) {
        let (status, body) = answer(&server, &bob, theirs).await;
        let (missing_status, missing_body) = answer(&server, &bob, &none).await;
        assert_eq!(
            (status, body.replace(&alices, NO_SUCH_PHOTO)),
            (missing_status, missing_body),
            "{} {}: bob learns something of alice's photo",
            theirs.0,
            theirs.1
        );
        assert_ne!(status, StatusCode::FORBIDDEN, "{}", theirs.1);
        assert!(
            !status.is_success() || theirs.1 == "/_fn/delete_photos",
            "{} {status}",
            theirs.1
        );
    }

    // Bob's listing and "delete everything" are bob's alone.
    assert!(!photos_of(&server, &bob).await.contains(&alices));
    let wiped = bob
        .post(server.url("/_fn/delete_all_photos"))
        .header("content-type", FORM)
        .body("")
        .send()
        .await
        .expect("delete all");
    assert_eq!(wiped.status(), StatusCode::OK);
    assert_eq!(wiped.text().await.expect("body"), "1");
    assert!(photos_of(&server, &bob).await.is_empty());

    // Alice's photo is whole.
    assert_eq!(
        photos_of(&server, &alice).await,
        std::slice::from_ref(&alices)
    );
    for variant in ["thumbnail", "preview", "original"] {
        let image = alice
            .get(server.url(&format!("/api/photos/{alices}/{variant}")))
            .send()
            .await
            .expect("image");
        assert_eq!(image.status(), StatusCode::OK, "{variant}");
    }
    server.stop().await;
}
