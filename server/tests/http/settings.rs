//! The settings page's server functions over real HTTP: each acts for its caller (one's own
//! tokens only), the accounts' ones refuse members with 403 as `/api/users` does, and removing
//! an account removes its photos too. The browser side is end2end/tests/settings.spec.ts.

use crate::support::{anonymous_client, call_function, upload_to, TestServer, PASSWORD};
use gaillery_testkit as kit;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Calls the server function `name` with a form body; the answer as JSON when it is.
async fn call(server: &TestServer, client: &Client, name: &str, form: &str) -> (StatusCode, Value) {
    let (status, text) = call_function(server, client, name, form).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn names(listed: &Value, field: &str) -> Vec<String> {
    listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_functions_act_for_their_caller_and_only_administrators_manage_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    let admin = &server.client;

    let anonymous = anonymous_client();
    for name in ["list_tokens", "list_accounts", "create_token"] {
        let (status, _) = call(&server, &anonymous, name, "name=x").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}");
    }
    let no_redirects = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = no_redirects
        .get(server.url("/settings"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()["location"], "/sign-in");

    let bob = server.add_user("bob").await;
    let (status, _) = upload_to(
        &bob,
        &server.url("/api/photos"),
        [("b.jpg".into(), kit::photo_jpeg(64, 48, 7))],
    )
    .await;
    assert_eq!(status, 201);

    // A member manages no accounts.
    let add_eve = format!(
        "username=eve&password={}&admin=true",
        PASSWORD.replace(' ', "+")
    );
    for (name, form) in [
        ("list_accounts", String::new()),
        ("add_account", add_eve.clone()),
        ("remove_account", "username=admin".to_owned()),
        (
            "reset_password",
            "username=admin&new_password=0123456789".to_owned(),
        ),
    ] {
        let (status, body) = call(&server, &bob, name, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert!(
            body.to_string().contains("only an administrator"),
            "{name}: {body}"
        );
    }

    // Tokens are one's own: bob's new one is in his list only, and he cannot revoke another's.
    let (status, issued) = call(&server, &bob, "create_token", "name=cli").await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["name"], "cli");
    assert!(issued["token"].as_str().expect("token").starts_with("gly_"));
    let (_, his) = call(&server, &bob, "list_tokens", "").await;
    assert!(names(&his, "name").contains(&"cli".to_owned()));
    assert!(his
        .as_array()
        .expect("list")
        .iter()
        .all(|t| t.get("token").is_none()));
    let (_, mine) = call(&server, admin, "list_tokens", "").await;
    assert!(!names(&mine, "name").contains(&"cli".to_owned()));
    let admins_token = names(&mine, "id").remove(0);
    let (status, _) = call(&server, &bob, "revoke_token", &format!("id={admins_token}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The administrator's table, with photo counts and storage; an unticked box adds a member.
    let (status, _) = call(
        &server,
        admin,
        "add_account",
        "username=carol&password=0123456789",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, listed) = call(&server, admin, "list_accounts", "").await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(names(&listed, "username"), ["admin", "bob", "carol"]);
    let rows = listed.as_array().expect("list");
    assert_eq!(
        (rows[0]["admin"].as_bool(), rows[0]["you"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        (rows[1]["photos"].as_u64(), rows[1]["you"].as_bool()),
        (Some(1), Some(false))
    );
    let bobs_bytes = kit::photo_jpeg(64, 48, 7).len() as u64;
    assert_eq!(
        rows[1]["storage"],
        gaillery_core::size::human_size(bobs_bytes)
    );
    assert_eq!(rows[2]["storage"], "0 B");
    assert_eq!(rows[2]["admin"].as_bool(), Some(false));

    // Bob shares an album; removing him must end the link too.
    let album: serde_json::Value = bob
        .post(server.url("/api/albums"))
        .json(&serde_json::json!({ "title": "Bob's" }))
        .send()
        .await
        .expect("album")
        .json()
        .await
        .expect("album JSON");
    let link: serde_json::Value = bob
        .post(server.url(&format!(
            "/api/albums/{}/share",
            album["id"].as_str().expect("id")
        )))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("share")
        .json()
        .await
        .expect("link JSON");
    let shared = server.url(&format!(
        "/api/shared/{}",
        link["token"].as_str().expect("token")
    ));

    // Removing bob takes his photo, his credentials, his albums and his links with him.
    let (status, removed) = call(&server, admin, "remove_account", "username=bob").await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(
        (removed["username"].as_str(), removed["photos"].as_u64()),
        (Some("bob"), Some(1))
    );
    let gone = bob
        .get(server.url("/api/photos"))
        .send()
        .await
        .expect("GET");
    assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);
    let link_after = crate::support::anonymous_client()
        .get(&shared)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        link_after.status(),
        StatusCode::NOT_FOUND,
        "bob's link ended"
    );
    let (status, _) = call(&server, admin, "remove_account", "username=bob").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    server.stop().await;
}
