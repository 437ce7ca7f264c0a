//! A real GAiLLERY server on 127.0.0.1, port 0, with its own data directory, for tests.

use gaillery_core::api::UploadResponse;
use gaillery_server::cli::{ModelArgs, ServeArgs, StorageArgs};
use gaillery_server::connections::ConnectionLimits;
use gaillery_server::startup;
use std::path::{Path, PathBuf};
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
        max_connections: 512,
        site_root: Some(data_dir.join("no-site")),
        leptos_config: data_dir.join("no-leptos.toml"),
        max_upload_mb: 50,
        max_megapixels: 100,
        max_files_per_request: 100,
        processing_threads: Some(2),
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
            // A hung request fails the test with a message instead of stalling the whole run.
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .no_proxy()
                .build()
                .expect("HTTP client"),
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
