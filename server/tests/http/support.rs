//! A real GAiLLERY server on 127.0.0.1, port 0, with its own data directory, for tests.

use gaillery_core::api::UploadResponse;
use gaillery_server::cli::{ModelArgs, ServeArgs, StorageArgs};
use gaillery_server::connections::ConnectionLimits;
use gaillery_server::startup;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::oneshot;

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

pub fn args(data_dir: &Path) -> ServeArgs {
    ServeArgs {
        addr: "127.0.0.1:0".parse().expect("address"),
        data_dir: data_dir.to_path_buf(),
        public_url: None,
        trusted_proxy: Vec::new(),
        max_connections: 512,
        site_root: Some(data_dir.join("no-site")),
        leptos_config: data_dir.join("no-leptos.toml"),
        max_upload_mb: 50,
        max_megapixels: 100,
        max_files_per_request: 100,
        processing_threads: Some(2),
        decode_memory_mb: Some(1024),
        sweep_interval_mins: 60,
        // Classification off unless a test turns it on: most tests are about storage.
        models: ModelArgs {
            model: vec!["none".into()],
            model_dir: model_dir(),
        },
        classify_workers: Some(1),
        instance: Some("test".into()),
        storage: StorageArgs::default(),
    }
}

/// The models that scripts/fetch-models.sh fetched.
pub fn model_dir() -> PathBuf {
    std::env::var_os("GAILLERY_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"))
}

impl TestServer {
    pub async fn start(data_dir: &Path) -> TestServer {
        TestServer::start_with(args(data_dir)).await
    }

    pub async fn start_with(args: ServeArgs) -> TestServer {
        TestServer::start_with_limits(args, |_| {}).await
    }

    /// Starts with the connection limits `adjust` sets (short timeouts, a small cap).
    pub async fn start_with_limits(
        args: ServeArgs,
        adjust: impl FnOnce(&mut ConnectionLimits),
    ) -> TestServer {
        let mut server = TestServer::start_without_account_with(args, adjust).await;
        server.client = signed_in_client(&server.base, ADMIN).await;
        server
    }

    /// Starts without making the administrator: the client is anonymous.
    pub async fn start_without_account(args: ServeArgs) -> TestServer {
        TestServer::start_without_account_with(args, |_| {}).await
    }

    async fn start_without_account_with(
        args: ServeArgs,
        adjust: impl FnOnce(&mut ConnectionLimits),
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local address");
        let mut app = startup::build(&args).await.expect("server builds");
        adjust(&mut app.connections);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let until = async move {
                let _ = stopped.await;
            };
            startup::run(listener, app, until)
                .await
                .expect("server runs");
        });
        TestServer {
            base: format!("http://{addr}"),
            client: anonymous_client(),
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Stops gracefully and waits until the server has let go of everything.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(std::time::Duration::from_secs(30), task)
                .await
                .expect("server stops within 30 s of the shutdown signal")
                .expect("server task ends cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Uploads files in one multipart request; returns the status and the parsed body.
    pub async fn upload(&self, files: &[(&str, Vec<u8>)]) -> (u16, UploadResponse) {
        let files = files
            .iter()
            .map(|(name, bytes)| ((*name).to_owned(), bytes.clone()));
        upload_to(&self.client, &self.url("/api/photos"), files).await
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET request")
    }
}

/// The administrator every test server has, made by the first run on a new data directory.
pub const ADMIN: &str = "admin";
/// Every test account's password.
pub const PASSWORD: &str = "correct horse battery";

/// A client with no credential.
pub fn anonymous_client() -> reqwest::Client {
    client_with(reqwest::header::HeaderMap::new(), DEFAULT_TIMEOUT)
}

/// How long a test's request may take before it fails the test.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

fn client_with(headers: reqwest::header::HeaderMap, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        // A hung request fails the test with a message instead of stalling the whole run.
        .timeout(timeout)
        .no_proxy()
        .default_headers(headers)
        .build()
        .expect("HTTP client")
}

/// A client that sends an API token of `username` (password [`PASSWORD`]) with every request,
/// as scripts do; the administrator [`ADMIN`] is made by the first run if the server has no
/// account yet.
pub async fn signed_in_client(base: &str, username: &str) -> reqwest::Client {
    signed_in_client_within(base, username, DEFAULT_TIMEOUT).await
}

/// [`signed_in_client`] whose requests may take up to `timeout`.
pub async fn signed_in_client_within(
    base: &str,
    username: &str,
    timeout: Duration,
) -> reqwest::Client {
    let cookie = session_of(base, username).await;
    let token: serde_json::Value = anonymous_client()
        .post(format!("{base}/api/tokens"))
        .header(reqwest::header::COOKIE, cookie)
        .json(&serde_json::json!({ "name": "tests" }))
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let token = token["token"].as_str().expect("a token");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("header"),
    );
    client_with(headers, timeout)
}

/// A client that sends the session cookie of `username` with every request, as a browser
/// does (see [`signed_in_client`]).
pub async fn browser_client(base: &str, username: &str) -> reqwest::Client {
    let cookie = session_of(base, username).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().expect("header"));
    client_with(headers, DEFAULT_TIMEOUT)
}

/// Signs `username` in (making the administrator on a new server) and returns the cookie.
pub async fn session_of(base: &str, username: &str) -> String {
    let anonymous = anonymous_client();
    let credentials = serde_json::json!({ "username": username, "password": PASSWORD });
    if username == ADMIN {
        let response = anonymous
            .post(format!("{base}/api/setup"))
            .json(&credentials)
            .send()
            .await
            .expect("setup request");
        if response.status() == reqwest::StatusCode::CREATED {
            return session_cookie(&response);
        }
    }
    let response = anonymous
        .post(format!("{base}/api/session"))
        .json(&credentials)
        .send()
        .await
        .expect("sign-in request");
    assert_eq!(response.status(), 204, "{username} signs in");
    session_cookie(&response)
}

/// `name=value` of the session cookie a sign-in answer sets.
pub fn session_cookie(response: &reqwest::Response) -> String {
    let set_cookie = response
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .expect("a session cookie")
        .to_str()
        .expect("ASCII");
    set_cookie.split(';').next().expect("name=value").to_owned()
}

impl TestServer {
    /// Adds an account (through the administrator) and returns a client signed in to it.
    pub async fn add_user(&self, username: &str) -> reqwest::Client {
        add_user_on(&self.base, &self.client, username).await
    }
}

/// Adds an account through `admin`, signed in to the server at `base`, and returns a client
/// signed in to it.
pub async fn add_user_on(base: &str, admin: &reqwest::Client, username: &str) -> reqwest::Client {
    let response = admin
        .post(format!("{base}/api/users"))
        .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("add-user request");
    assert_eq!(response.status(), 201, "{username} is added");
    signed_in_client(base, username).await
}

/// Uploads files to `url` in one multipart request (one `file` part each); returns the status
/// and the parsed body. For servers this process did not start, too.
pub async fn upload_to(
    client: &reqwest::Client,
    url: &str,
    files: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> (u16, UploadResponse) {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str("application/octet-stream")
            .expect("mime");
        form = form.part("file", part);
    }
    let response = client
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("upload request");
    let status = response.status().as_u16();
    let body = response.text().await.expect("upload body");
    let parsed = serde_json::from_str(&body).unwrap_or_else(|e| {
        panic!("upload response {status} is not an UploadResponse ({e}): {body}")
    });
    (status, parsed)
}

/// Uploads one generated photo (varied by `seed`) as `client`; returns its id.
pub async fn upload_one(server: &TestServer, client: &reqwest::Client, seed: u32) -> String {
    let url = server.url("/api/photos");
    let name = format!("photo-{seed}.jpg");
    let photo = gaillery_testkit::photo_jpeg(320, 240, seed);
    let (status, uploaded) = upload_to(client, &url, [(name, photo)]).await;
    assert_eq!(status, 201);
    uploaded.photos[0].id.to_string()
}

/// Calls the server function `name` with a form body, as the page's forms do: the status and
/// the body.
pub async fn call_function(
    server: &TestServer,
    client: &reqwest::Client,
    name: &str,
    form: &str,
) -> (reqwest::StatusCode, String) {
    let response = client
        .post(server.url(&format!("/_fn/{name}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned())
        .send()
        .await
        .expect("server function");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// Every photo `client` is shown at `base`, through the listing's pages of `page_size`.
pub async fn all_photos(
    client: &reqwest::Client,
    base: &str,
    page_size: usize,
) -> Vec<gaillery_core::Photo> {
    let mut photos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/photos?limit={page_size}");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let response = client.get(url).send().await.expect("listing");
        assert_eq!(response.status(), 200, "listing");
        let page: gaillery_core::api::PhotoPage = response.json().await.expect("page JSON");
        photos.extend(page.photos);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return photos,
        }
    }
}
