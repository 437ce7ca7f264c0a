//! Spoken commands as the server and the command line understand them: the real parser with
//! the real vocabulary (every ImageNet term), so "dogs" is the broader term "dog" and a
//! misheard breed is corrected to one that exists.

use crate::support::TestServer;
use serde_json::{json, Value};

async fn intent_of(server: &TestServer, text: &str) -> Value {
    let url = reqwest::Url::parse_with_params(&server.url("/api/intent"), [("text", text)])
        .expect("intent URL");
    let response = server.client.get(url).send().await.expect("intent request");
    assert_eq!(response.status(), 200, "{text}");
    response.json().await.expect("intent JSON")
}

#[tokio::test]
async fn the_api_parses_commands_against_the_real_vocabulary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = TestServer::start(dir.path()).await;
    for (said, meant) in [
        (
            "show me the dogs",
            json!({"intent": "show_tag", "tag": "dog"}),
        ),
        (
            "Show me golden retreivers, please.",
            json!({"intent": "show_tag", "tag": "golden retriever"}),
        ),
        (
            "find pictures of sports cars",
            json!({"intent": "show_tag", "tag": "sports car"}),
        ),
        ("tabbies", json!({"intent": "show_tag", "tag": "tabby"})),
        ("um, next", json!({"intent": "next"})),
        ("close the gallery", json!({"intent": "close"})),
        ("what's the weather like", json!({"intent": "none"})),
    ] {
        assert_eq!(intent_of(&server, said).await, meant, "{said}");
    }
    let other_language = server.get("/api/intent?text=suivant&language=fr").await;
    assert_eq!(other_language.status(), 400);
    let body: Value = other_language.json().await.expect("error JSON");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("English")),
        "{body}"
    );
    server.stop().await;
}

#[test]
fn the_command_line_prints_one_json_line() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gaillery"))
        .args(["intent", "show", "me", "the", "dogs"])
        .output()
        .expect("run gaillery intent");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert_eq!(stdout, "{\"intent\":\"show_tag\",\"tag\":\"dog\"}\n");

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_gaillery"))
        .args(["intent", "--language", "fr", "suivant"])
        .output()
        .expect("run gaillery intent");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("English"));
}
