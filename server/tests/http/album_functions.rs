//! The page's server functions for albums and share links, over real HTTP: another user's
//! album answers exactly like one that does not exist, on every function, and stays whole;
//! the shared page's functions show a link's album to anyone, ask for a password first when
//! the link has one, and show nothing once the link is revoked; a photo shared alone shows
//! only itself.

use crate::support::{anonymous_client, call_function, upload_one, TestServer};
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";
/// An album id that no album has.
const NO_SUCH_ALBUM: &str = "0000000000000000000000000a";

async fn album_with(server: &TestServer, client: &Client, title: &str, photo: &str) -> String {
    let (status, made) =
        call_function(server, client, "create_album", &format!("title={title}")).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let made: Value = serde_json::from_str(&made).expect("album JSON");
    let id = made["id"].as_str().expect("album id").to_owned();
    let form = format!("id={id}&photo_ids[0]={photo}");
    assert_eq!(
        call_function(server, client, "add_to_album", &form).await,
        (StatusCode::OK, "1".into())
    );
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_album_is_no_album_on_every_server_function() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let alice = server.client.clone();
    let bob = server.add_user("bob").await;
    let alices_photo = upload_one(&server, &alice, 1).await;
    let bobs_photo = upload_one(&server, &bob, 2).await;
    let album = album_with(&server, &alice, "Alice's", &alices_photo).await;

    let attempts = |id: &str| {
        vec![
            ("get_album", format!("id={id}")),
            ("rename_album", format!("id={id}&title=Mine")),
            ("list_album_photos", format!("id={id}")),
            ("add_to_album", format!("id={id}&photo_ids[0]={bobs_photo}")),
            (
                "remove_from_album",
                format!("id={id}&photo_ids[0]={alices_photo}"),
            ),
            (
                "set_album_cover",
                format!("id={id}&photo_id={alices_photo}"),
            ),
            ("move_in_album", format!("id={id}&photo_id={alices_photo}")),
            (
                "share_album",
                format!("id={id}&expires_in_days=0&password="),
            ),
            ("album_links", format!("id={id}")),
            ("delete_album", format!("id={id}")),
        ]
    };
    for ((function, theirs), (_, none)) in attempts(&album).into_iter().zip(attempts(NO_SUCH_ALBUM))
    {
        let (status, body) = call_function(&server, &bob, function, &theirs).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{function}: {body}");
        assert_eq!(
            (status, body),
            call_function(&server, &bob, function, &none).await,
            "{function}: bob learns something of alice's album"
        );
    }
    // The album's page too: bob's browser is sent a 404, as for no album.
    for id in [album.as_str(), NO_SUCH_ALBUM] {
        let page = bob
            .get(server.url(&format!("/albums/{id}")))
            .send()
            .await
            .expect("album page");
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{id}");
        assert!(!page.text().await.expect("HTML").contains("Alice's"));
    }
    let (_, listed) = call_function(&server, &bob, "list_albums", "").await;
    assert_eq!(listed, "[]");

    // Alice's album is whole: its title, its photo, no link.
    let (status, info) = call_function(&server, &alice, "get_album", &format!("id={album}")).await;
    assert_eq!(status, StatusCode::OK);
    let info: Value = serde_json::from_str(&info).expect("album JSON");
    assert_eq!(
        (info["title"].clone(), info["photo_count"].clone()),
        (json!("Alice's"), json!(1))
    );
    let (_, links) = call_function(&server, &alice, "album_links", &format!("id={album}")).await;
    assert_eq!(links, "[]");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_page_shows_a_links_album_to_anyone_until_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let owner = server.client.clone();
    let photo = upload_one(&server, &owner, 1).await;
    let album = album_with(&server, &owner, "Friends", &photo).await;
    let (status, link) = call_function(
        &server,
        &owner,
        "share_album",
        &format!("id={album}&expires_in_days=7&password="),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let link: Value = serde_json::from_str(&link).expect("link JSON");
    let token = link["token"].as_str().expect("token").to_owned();
    assert!(link["expires_at"].is_string());

    let visitor = anonymous_client();
    let (status, opened) =
        call_function(&server, &visitor, "open_shared", &format!("token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    let opened: Value = serde_json::from_str(&opened).expect("view JSON");
    assert_eq!(opened["Open"]["info"]["title"], "Friends");
    assert_eq!(
        opened["Open"]["first_page"]["photos"][0]["id"],
        photo.as_str()
    );
    // The page itself: the album, answered 200 to a visitor with no account.
    let page = visitor
        .get(server.url(&format!("/s/{token}")))
        .send()
        .await
        .expect("shared page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.expect("HTML").contains("Friends"));
    // The visitor is nobody anywhere else.
    let (status, _) = call_function(&server, &visitor, "list_photos", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call_function(
        &server,
        &visitor,
        "list_album_photos",
        &format!("id={album}"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _) =
        call_function(&server, &owner, "revoke_link", &format!("token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    let gone = visitor
        .get(server.url(&format!("/s/{token}")))
        .send()
        .await
        .expect("shared page");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert!(gone
        .text()
        .await
        .expect("HTML")
        .contains("This link does not work"));
    for function in ["open_shared", "list_shared_photos"] {
        let (status, body) =
            call_function(&server, &visitor, function, &format!("token={token}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{function}: {body}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_link_opens_on_the_page_once_its_password_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let owner = server.client.clone();
    let photo = upload_one(&server, &owner, 1).await;
    let album = album_with(&server, &owner, "Locked", &photo).await;
    let form = format!("id={album}&expires_in_days=0&password=open%20sesame");
    let (_, link) = call_function(&server, &owner, "share_album", &form).await;
    let link: Value = serde_json::from_str(&link).expect("link JSON");
    assert_eq!(link["has_password"], true);
    let token = link["token"].as_str().expect("token").to_owned();

    let visitor = anonymous_client();
    let (status, locked) =
        call_function(&server, &visitor, "open_shared", &format!("token={token}")).await;
    assert_eq!((status, locked.as_str()), (StatusCode::OK, "\"Locked\""));
    let (status, _) = call_function(
        &server,
        &visitor,
        "list_shared_photos",
        &format!("token={token}"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call_function(
        &server,
        &visitor,
        "unlock_shared",
        &format!("token={token}&password=guess"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let unlocked = visitor
        .post(server.url("/_fn/unlock_shared"))
        .header("content-type", FORM)
        .body(format!("token={token}&password=open%20sesame"))
        .send()
        .await
        .expect("unlock");
    assert_eq!(unlocked.status(), StatusCode::OK);
    let cookie = unlocked
        .headers()
        .get(SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .expect("a proof cookie")
        .to_owned();
    assert!(
        cookie.starts_with(&format!("gaillery_link_{token}=")),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let proof = cookie.split(';').next().expect("name=value").to_owned();
    let opened = visitor
        .post(server.url("/_fn/open_shared"))
        .header("content-type", FORM)
        .header(COOKIE, proof)
        .body(format!("token={token}"))
        .send()
        .await
        .expect("open");
    assert_eq!(opened.status(), StatusCode::OK);
    let opened: Value = opened.json().await.expect("view JSON");
    assert_eq!(opened["Open"]["info"]["title"], "Locked");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_shared_from_the_page_shows_that_photo_alone_until_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let owner = server.client.clone();
    let shared = upload_one(&server, &owner, 1).await;
    let kept = upload_one(&server, &owner, 2).await;
    let form = format!("id={shared}&expires_in_days=7&password=");
    let (status, link) = call_function(&server, &owner, "share_photo", &form).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    let link: Value = serde_json::from_str(&link).expect("link JSON");
    assert_eq!(
        (&link["photo_id"], &link["has_password"]),
        (&json!(shared), &json!(false))
    );
    assert!(link["expires_at"].is_string(), "{link}");
    let token = link["token"].as_str().expect("token").to_owned();
    let listed = |photo: &str| {
        let (server, owner) = (&server, &owner);
        let form = format!("id={photo}");
        async move {
            let (status, links) = call_function(server, owner, "photo_links", &form).await;
            assert_eq!(status, StatusCode::OK, "{links}");
            let links: Vec<Value> = serde_json::from_str(&links).expect("links JSON");
            links
                .iter()
                .map(|link| link["token"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(listed(&shared).await, std::slice::from_ref(&token));
    assert!(listed(&kept).await.is_empty());

    let visitor = anonymous_client();
    let (status, view) =
        call_function(&server, &visitor, "open_shared", &format!("token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let view: Value = serde_json::from_str(&view).expect("view JSON");
    let photos: Vec<&str> = view["Open"]["first_page"]["photos"]
        .as_array()
        .expect("photos")
        .iter()
        .filter_map(|photo| photo["id"].as_str())
        .collect();
    assert_eq!(photos, [shared.as_str()]);

    let (status, _) =
        call_function(&server, &owner, "revoke_link", &format!("token={token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed(&shared).await.is_empty());
    let (status, _) =
        call_function(&server, &visitor, "open_shared", &format!("token={token}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}
