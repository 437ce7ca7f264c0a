//! `POST /api/photos` (`server/src/api/upload.rs`) with any body, through the server's whole
//! router in process (guard, authentication, body limit, the multipart extractor, staging,
//! ingest and storage), signed in with an API token. The server is built once, on the embedded
//! storage in a temporary data directory (scripts/fuzz.sh points TMPDIR at a scratch
//! directory it removes afterwards).
//!
//! The input's first byte picks the Content-Type (a few spellings of the boundary, and one
//! without any); the rest is the body, whose boundary is `BOUNDARY`.
//!
//! Property: every body gets an answer, 2xx or 4xx (507 and 503 are allowed: storage full or
//! unavailable), never another 5xx, and nothing panics.

#![no_main]

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use clap::Parser;
use gaillery_server::cli::{Cli, Command, ServeArgs};
use gaillery_server::startup;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tower::ServiceExt;

const BOUNDARY: &str = "gaillery-fuzz";

const CONTENT_TYPES: [&str; 4] = [
    "multipart/form-data; boundary=gaillery-fuzz",
    "multipart/form-data; boundary=\"gaillery-fuzz\"",
    "multipart/form-data; charset=utf-8; boundary=gaillery-fuzz",
    // No boundary: refused before the body is read.
    "multipart/form-data",
];

struct Harness {
    runtime: tokio::runtime::Runtime,
    router: Router,
    authorization: String,
    /// Kept for the life of the process (statics are never dropped; the scratch TMPDIR is
    /// removed by scripts/fuzz.sh).
    _data_dir: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let data_dir = tempfile::tempdir().expect("a temporary data directory");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let (router, token) = runtime.block_on(async {
            let app = startup::build(&args(data_dir.path()))
                .await
                .expect("the server builds");
            let accounts = &app.state.accounts;
            let account = accounts
                .add_account("fuzz", "correct horse battery", true)
                .await
                .expect("the account is made");
            let token = accounts
                .create_api_token(&account.owner, "fuzz")
                .await
                .expect("an API token");
            (app.router, token.token)
        });
        let harness = Harness {
            runtime,
            router,
            authorization: format!("Bearer {token}"),
            _data_dir: data_dir,
        };
        // The harness is signed in and reaches the handler: a real photo is stored.
        let photo = gaillery_testkit::photo_jpeg(16, 12, 1);
        let body = [
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; \
                 filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .into_bytes(),
            photo,
            format!("\r\n--{BOUNDARY}--\r\n").into_bytes(),
        ]
        .concat();
        let (status, answer) = harness.post(CONTENT_TYPES[0], body);
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        harness
    })
}

impl Harness {
    fn post(&self, content_type: &str, body: Vec<u8>) -> (StatusCode, String) {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/photos")
            .header(header::HOST, "127.0.0.1")
            .header(header::AUTHORIZATION, &self.authorization)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .expect("a request");
        self.runtime.block_on(async {
            let response = self
                .router
                .clone()
                .oneshot(request)
                .await
                .expect("the router answers");
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("the answer's body");
            (status, String::from_utf8_lossy(&bytes).into_owned())
        })
    }
}

/// As the HTTP tests' servers (server/tests/http/support.rs), with a small image limit like
/// the `imaging` target's, so a fuzzed header cannot make a legitimate 100-megapixel decode.
/// Parsed from a command line, as `gaillery serve` is, so options added later take their
/// defaults.
fn args(data_dir: &std::path::Path) -> ServeArgs {
    let dir = |name: &str| data_dir.join(name).display().to_string();
    let command_line = [
        "gaillery",
        "serve",
        "--addr=127.0.0.1:0",
        &format!("--data-dir={}", data_dir.display()),
        &format!("--site-root={}", dir("no-site")),
        &format!("--leptos-config={}", dir("no-leptos.toml")),
        "--storage=embedded",
        "--max-megapixels=4",
        "--max-files-per-request=10",
        "--processing-threads=1",
        "--decode-memory-mb=512",
        "--model=none",
        &format!("--model-dir={}", dir("no-models")),
        "--classify-workers=1",
        "--instance=fuzz",
    ];
    match Cli::try_parse_from(command_line).expect("the serve command line") {
        Cli {
            command: Command::Serve(args),
        } => args,
        _ => unreachable!("parsed as `serve`"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let harness = harness();
    let content_type = CONTENT_TYPES[usize::from(choice) % CONTENT_TYPES.len()];
    let (status, answer) = harness.post(content_type, body.to_vec());
    let allowed = status.is_success()
        || status.is_client_error()
        || status == StatusCode::INSUFFICIENT_STORAGE
        || status == StatusCode::SERVICE_UNAVAILABLE;
    assert!(allowed, "{status}: {answer}");
    assert_ne!(
        status,
        StatusCode::UNAUTHORIZED,
        "the harness lost its token"
    );
});
