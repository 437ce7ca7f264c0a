//! Albums and share links over real HTTP: an owner makes, fills, orders and shares albums;
//! nobody else sees them; a link shows its album to anyone holding it, read-only, and nothing
//! else, until revoked, and only with its password when it has one.

use crate::support::{anonymous_client, upload_one, TestServer};
use gaillery_core::api::PhotoPage;
use reqwest::header::{CACHE_CONTROL, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(response.status(), status);
    response.json().await.expect("JSON")
}

fn ids_of(page: &PhotoPage) -> Vec<String> {
    page.photos.iter().map(|p| p.id.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_album_is_made_filled_ordered_and_seen_by_its_owner_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let alice = server.client.clone();
    let bob = server.add_user("bob").await;
    let (first, second, third) = (
        upload_one(&server, &alice, 1).await,
        upload_one(&server, &alice, 2).await,
        upload_one(&server, &alice, 3).await,
    );
    let album = json_of(
        alice
            .post(server.url("/api/albums"))
            .json(&json!({ "title": "Holidays" }))
            .send()
            .await
            .expect("create"),
        StatusCode::CREATED,
    )
    .await;
    let id = album["id"].as_str().expect("id").to_owned();
    let photos = server.url(&format!("/api/albums/{id}/photos"));
    let added = json_of(
        alice
            .post(&photos)
            .json(&json!({ "photo_ids": [first, second, third, first] }))
            .send()
            .await
            .expect("add"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(added, json!({ "added": 3 }));
    let moved = alice
        .post(server.url(&format!("/api/albums/{id}/photos/{third}/move")))
        .json(&json!({ "before": first }))
        .send()
        .await
        .expect("move");
    assert_eq!(moved.status(), StatusCode::NO_CONTENT);
    let page: PhotoPage = alice
        .get(&photos)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("page");
    assert_eq!(
        ids_of(&page),
        [third.clone(), first.clone(), second.clone()]
    );
    let removed = alice
        .delete(server.url(&format!("/api/albums/{id}/photos/{first}")))
        .send()
        .await
        .expect("remove");
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let changed = json_of(
        alice
            .patch(server.url(&format!("/api/albums/{id}")))
            .json(&json!({ "title": "Summer", "cover": second }))
            .send()
            .await
            .expect("patch"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["title"], "Summer");
    assert_eq!(changed["cover"], second.as_str());
    assert_eq!(changed["photo_count"], 2);

    // Bob: no such album, on every route.
    for (method, path) in [
        (reqwest::Method::GET, format!("/api/albums/{id}")),
        (reqwest::Method::GET, format!("/api/albums/{id}/photos")),
        (reqwest::Method::DELETE, format!("/api/albums/{id}")),
    ] {
        let response = bob
            .request(method.clone(), server.url(&path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
    let shared = bob
        .post(server.url(&format!("/api/albums/{id}/share")))
        .json(&json!({}))
        .send()
        .await
        .expect("share");
    assert_eq!(shared.status(), StatusCode::NOT_FOUND);
    let listed: Value = bob
        .get(server.url("/api/albums"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed, json!([]));

    // Deleting the album deletes no photo.
    let deleted = alice
        .delete(server.url(&format!("/api/albums/{id}")))
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let all: PhotoPage = alice
        .get(server.url("/api/photos"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("page");
    assert_eq!(all.photos.len(), 3);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_shows_its_album_read_only_to_anyone_and_nothing_else_until_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let owner = server.client.clone();
    let (shown, hidden) = (
        upload_one(&server, &owner, 1).await,
        upload_one(&server, &owner, 2).await,
    );
    let album = json_of(
        owner
            .post(server.url("/api/albums"))
            .json(&json!({ "title": "For friends" }))
            .send()
            .await
            .expect("create"),
        StatusCode::CREATED,
    )
    .await;
    let id = album["id"].as_str().expect("id").to_owned();
    owner
        .post(server.url(&format!("/api/albums/{id}/photos")))
        .json(&json!({ "photo_ids": [shown] }))
        .send()
        .await
        .expect("add");
    let link = json_of(
        owner
            .post(server.url(&format!("/api/albums/{id}/share")))
            .json(&json!({}))
            .send()
            .await
            .expect("share"),
        StatusCode::CREATED,
    )
    .await;
    let token = link["token"].as_str().expect("token").to_owned();
    assert_eq!(token.len(), 64, "256 random bits");
    assert_eq!(link["url"], format!("/s/{token}"));

    let visitor = anonymous_client();
    let info = json_of(
        visitor
            .get(server.url(&format!("/api/shared/{token}")))
            .send()
            .await
            .expect("info"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        info,
        json!({ "kind": "album", "title": "For friends", "photo_count": 1 })
    );
    let page: PhotoPage = visitor
        .get(server.url(&format!("/api/shared/{token}/photos")))
        .send()
        .await
        .expect("photos")
        .json()
        .await
        .expect("page");
    assert_eq!(ids_of(&page), std::slice::from_ref(&shown));
    let image = visitor
        .get(server.url(&format!("/api/shared/{token}/photos/{shown}/thumbnail")))
        .send()
        .await
        .expect("image");
    assert_eq!(image.status(), StatusCode::OK);
    assert!(image.headers()[CACHE_CONTROL]
        .to_str()
        .expect("ASCII")
        .starts_with("private"));
    // Nothing else: not a photo outside the album, not the library, no change.
    let other = visitor
        .get(server.url(&format!("/api/shared/{token}/photos/{hidden}/original")))
        .send()
        .await
        .expect("image");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    for path in ["/api/photos", "/api/albums", "/api/tags"] {
        let response = visitor.get(server.url(path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let delete = visitor
        .delete(server.url(&format!("/api/photos/{shown}")))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(delete.status(), StatusCode::UNAUTHORIZED);

    let links: Value = owner
        .get(server.url("/api/shares"))
        .send()
        .await
        .expect("links")
        .json()
        .await
        .expect("JSON");
    assert_eq!(links[0]["token"], token.as_str());
    let revoked = owner
        .delete(server.url(&format!("/api/shares/{token}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    for path in [
        format!("/api/shared/{token}"),
        format!("/api/shared/{token}/photos/{shown}/thumbnail"),
    ] {
        let response = visitor.get(server.url(&path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_with_a_password_opens_once_it_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let photo = upload_one(&server, &server.client, 1).await;
    let short = server
        .client
        .post(server.url(&format!("/api/photos/{photo}/share")))
        .json(&json!({ "password": "abc" }))
        .send()
        .await
        .expect("share");
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    let link = json_of(
        server
            .client
            .post(server.url(&format!("/api/photos/{photo}/share")))
            .json(&json!({ "password": "open sesame", "expires_in_days": 7 }))
            .send()
            .await
            .expect("share"),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(link["has_password"], true);
    assert!(link["expires_at"].is_string());
    let token = link["token"].as_str().expect("token").to_owned();
    let visitor = anonymous_client();
    let info = server.url(&format!("/api/shared/{token}"));
    assert_eq!(
        visitor.get(&info).send().await.expect("info").status(),
        StatusCode::UNAUTHORIZED
    );
    let unlock = |password: &str| {
        visitor
            .post(server.url(&format!("/api/shared/{token}/unlock")))
            .json(&json!({ "password": password }))
            .send()
    };
    assert_eq!(
        unlock("wrong guess").await.expect("unlock").status(),
        StatusCode::UNAUTHORIZED
    );
    let unlocked = unlock("open sesame").await.expect("unlock");
    assert_eq!(unlocked.status(), StatusCode::NO_CONTENT);
    let cookie = unlocked.headers()[SET_COOKIE].to_str().expect("ASCII");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let cookie = cookie.split(';').next().expect("name=value").to_owned();
    let opened = json_of(
        visitor
            .get(&info)
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("info"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(opened["kind"], "photo");
    server.stop().await;
}
