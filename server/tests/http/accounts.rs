//! Accounts over real HTTP: the first run, signing in and out, sessions, API tokens, the
//! administrator's accounts, throttling across servers sharing a catalog, and taking over a
//! gallery made before accounts.

use crate::support::{
    anonymous_client, args, session_cookie, upload_to, TestServer, ADMIN, PASSWORD,
};
use gaillery_core::api::PhotoPage;
use gaillery_testkit as kit;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn error_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("JSON error");
    body["error"].as_str().unwrap_or_default().to_owned()
}

async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::Response {
    anonymous_client()
        .post(format!("{base}/api/session"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("sign-in request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_makes_one_administrator_and_then_refuses() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The test server's own first run made `admin`.
    let server = TestServer::start(dir.path()).await;
    let me: Value = server.get("/api/me").await.json().await.expect("me");
    assert_eq!(me, json!({ "username": ADMIN, "admin": true }));
    let again = anonymous_client()
        .post(server.url("/api/setup"))
        .json(&json!({ "username": "mallory", "password": "long enough password" }))
        .send()
        .await
        .expect("setup");
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        sign_in(&server.base, "mallory", "long enough password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_run_refuses_short_passwords_and_keeps_the_gallery_open_for_a_good_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut serve = args(dir.path());
    serve.models.model = vec!["none".into()];
    let server = TestServer::start_without_account(serve).await;
    let setup = |password: &str| {
        anonymous_client()
            .post(server.url("/api/setup"))
            .json(&json!({ "username": "owner", "password": password }))
            .send()
    };
    let short = setup("too short").await.expect("setup");
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(error_of(short).await.contains("10 characters"));
    let good = setup("ten or more characters").await.expect("setup");
    assert_eq!(good.status(), StatusCode::CREATED);
    let cookie = session_cookie(&good);
    let me = anonymous_client()
        .get(server.url("/api/me"))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("me");
    assert_eq!(me.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_http_only_cookies_that_sign_out_revokes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let wrong = sign_in(&server.base, ADMIN, "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let unknown = sign_in(&server.base, "nobody", "not the password").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    // One message for both: it never says whether the name exists.
    assert_eq!(error_of(wrong).await, error_of(unknown).await);

    let signed_in = sign_in(&server.base, ADMIN, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::NO_CONTENT);
    let set_cookie = signed_in.headers()[SET_COOKIE].to_str().expect("ASCII");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Max-Age=2592000"), "{set_cookie}");
    let cookie = session_cookie(&signed_in);
    let with_cookie = |method: reqwest::Method, path: &str| {
        anonymous_client()
            .request(method, server.url(path))
            .header(COOKIE, cookie.clone())
    };
    let me = with_cookie(reqwest::Method::GET, "/api/me").send().await;
    assert_eq!(me.expect("me").status(), StatusCode::OK);
    let out = with_cookie(reqwest::Method::DELETE, "/api/session")
        .send()
        .await
        .expect("sign out");
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()[SET_COOKIE]
        .to_str()
        .expect("ASCII")
        .contains("Max-Age=0"));
    let after = with_cookie(reqwest::Method::GET, "/api/me").send().await;
    assert_eq!(after.expect("me").status(), StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_requests_get_401_and_the_sign_in_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let anonymous = anonymous_client();
    for path in [
        "/api/photos",
        "/api/tags",
        "/api/me",
        "/api/tokens",
        "/api/users",
    ] {
        let response = anonymous.get(server.url(path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(error_of(response).await, "sign in first", "{path}");
    }
    let listed = anonymous
        .post(server.url("/_fn/list_photos"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("server function");
    assert_eq!(listed.status(), StatusCode::UNAUTHORIZED);
    // The gallery page sends anonymous visitors to the sign-in page, without a redirect loop.
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = no_redirects
        .get(server.url("/"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/sign-in");
    assert_eq!(server.get("/healthz").await.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_work_until_revoked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let created = server
        .client
        .post(server.url("/api/tokens"))
        .json(&json!({ "name": "backup script" }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    let (id, token) = (
        created["id"].as_str().expect("id").to_owned(),
        created["token"].as_str().expect("token").to_owned(),
    );
    let listed: Value = server.get("/api/tokens").await.json().await.expect("JSON");
    let listed = listed.as_array().expect("array");
    assert!(listed
        .iter()
        .any(|t| t["id"] == id.as_str() && t["name"] == "backup script"));
    assert!(
        listed.iter().all(|t| t.get("token").is_none()),
        "shown once"
    );
    let script = |token: &str| {
        anonymous_client()
            .get(server.url("/api/photos"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(script(&token).await.expect("GET").status(), StatusCode::OK);
    let revoked = server
        .client
        .delete(server.url(&format!("/api/tokens/{id}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        script(&token).await.expect("GET").status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        script("gly_forged").await.expect("GET").status(),
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_administrators_manage_accounts_and_removing_one_keeps_the_others_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let bob = server.add_user("bob").await;
    let photos = server.url("/api/photos");
    let (status, _) = upload_to(
        &server.client,
        &photos,
        [("a.jpg".into(), kit::photo_jpeg(64, 48, 1))],
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = upload_to(
        &bob,
        &photos,
        [("b.jpg".into(), kit::photo_jpeg(64, 48, 2))],
    )
    .await;
    assert_eq!(status, 201);
    // Bob's images are under his own prefix; the administrator's, who took over the gallery
    // from before accounts, where they always were.
    let prefixes: Vec<String> = std::fs::read_dir(dir.path().join("blobs/o"))
        .expect("owner prefixes")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(prefixes.len(), 1, "{prefixes:?}");
    let bobs_images = dir.path().join("blobs/o").join(&prefixes[0]).join("photos");
    assert_eq!(
        std::fs::read_dir(&bobs_images)
            .expect("bob's photos")
            .count(),
        1
    );

    let refused = bob.get(server.url("/api/users")).send().await.expect("GET");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = bob
        .post(server.url("/api/users"))
        .json(&json!({ "username": "eve", "password": PASSWORD, "admin": true }))
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let users: Value = server.get("/api/users").await.json().await.expect("JSON");
    let names: Vec<&str> = users
        .as_array()
        .expect("array")
        .iter()
        .map(|u| u["username"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["admin", "bob"]);
    // Each with their one photo, and its bytes as uploaded.
    let totals: Vec<(u64, u64)> = users
        .as_array()
        .expect("array")
        .iter()
        .map(|u| {
            (
                u["photos"].as_u64().unwrap_or(0),
                u["bytes"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let size = |seed| kit::photo_jpeg(64, 48, seed).len() as u64;
    assert_eq!(totals, [(1, size(1)), (1, size(2))]);

    let taken = server
        .client
        .post(server.url("/api/users"))
        .json(&json!({ "username": "BOB", "password": PASSWORD }))
        .send()
        .await
        .expect("POST");
    assert_eq!(taken.status(), StatusCode::CONFLICT);

    let removed = server
        .client
        .delete(server.url("/api/users/bob"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let gone = bob
        .get(server.url("/api/photos"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        gone.status(),
        StatusCode::UNAUTHORIZED,
        "bob's token went with him"
    );
    let page: PhotoPage = server.get("/api/photos").await.json().await.expect("page");
    assert_eq!(page.photos.len(), 1, "the administrator's photo stays");
    let last_admin = server
        .client
        .delete(server.url("/api/users/admin"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(last_admin.status(), StatusCode::CONFLICT);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_is_throttled_on_every_server_sharing_the_catalog() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = TestServer::start(dir.path()).await;
    let second = TestServer::start(dir.path()).await;
    for attempt in 0..10 {
        let server = if attempt % 2 == 0 { &first } else { &second };
        let response = sign_in(&server.base, ADMIN, "a wrong guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    for server in [&first, &second] {
        // The right password too: the account is locked for the window, not the guesser.
        let response = sign_in(&server.base, ADMIN, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = response.headers()[RETRY_AFTER]
            .to_str()
            .expect("ASCII")
            .parse()
            .expect("seconds");
        assert!((1..=900).contains(&retry_after), "{retry_after}");
    }
    // Sessions made before go on working.
    assert_eq!(first.get("/api/me").await.status(), StatusCode::OK);
    first.stop().await;
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_account_takes_over_a_gallery_made_before_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    // What `gaillery import` did before accounts: photos of the one built-in owner.
    let (gallery, _) = gaillery_server::startup::open_gallery(dir.path(), Some(1), 50, 100, vec![])
        .expect("gallery");
    let mut upload = gallery.begin_upload("old.jpg").await.expect("staging");
    upload
        .write(&kit::photo_jpeg(64, 48, 7))
        .await
        .expect("write");
    let old = gallery
        .ingest(&gaillery_core::OwnerId::local(), upload)
        .await
        .expect("ingest")
        .into_photo();
    drop(gallery);
    let server = TestServer::start(dir.path()).await;
    let page: PhotoPage = server.get("/api/photos").await.json().await.expect("page");
    assert_eq!(page.photos.len(), 1);
    assert_eq!(page.photos[0].id, old.id);
    let image = server
        .get(&format!("/api/photos/{}/thumbnail", old.id))
        .await;
    assert_eq!(image.status(), StatusCode::OK);
    // A second account starts empty.
    let bob = server.add_user("bob").await;
    let page: PhotoPage = bob
        .get(server.url("/api/photos"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("page");
    assert!(page.photos.is_empty());
    server.stop().await;
}
