//! `gaillery serve` as a real process on embedded storage, for tests that measure it from the
//! outside (its memory) or kill it with SIGKILL.

use crate::support::model_dir;
use gaillery_testkit::servers;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server; killed when dropped.
pub struct GailleryProcess {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Drop for GailleryProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `gaillery ARGS` on the data directory `dir/data`, with what every test server needs.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gaillery"));
    command
        .args(args)
        .arg("--data-dir")
        .arg(dir.join("data"))
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    command
}

impl GailleryProcess {
    /// Starts `gaillery serve` on `dir/data` with `extra` arguments and waits until it answers.
    pub async fn start(dir: &Path, extra: &[&str]) -> GailleryProcess {
        let port = servers::free_port();
        let log = dir.join(format!("server-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = command(dir, &["serve"])
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--model-dir")
            .arg(model_dir())
            .arg("--site-root")
            .arg(dir.join("no-site"))
            .arg("--leptos-config")
            .arg(dir.join("no-leptos.toml"))
            .args(extra)
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .spawn()
            .expect("gaillery starts");
        let server = GailleryProcess {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .no_proxy()
            .build()
            .expect("HTTP client");
        let deadline = Instant::now() + Duration::from_secs(90);
        while !server.healthy(&probe).await {
            assert!(
                Instant::now() < deadline,
                "server did not start:\n{}",
                server.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn healthy(&self, client: &reqwest::Client) -> bool {
        let answer = client.get(self.url("/healthz")).send().await;
        matches!(answer, Ok(response) if response.status().is_success())
    }

    /// A figure of `/proc/PID/status`, in bytes: `VmRSS` now, `VmHWM` the peak so far.
    pub fn memory(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        let line = status
            .lines()
            .find(|l| l.starts_with(field))
            .expect("the field is there");
        let kilobytes: u64 = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .expect("a number of kB");
        kilobytes * 1024
    }

    /// SIGKILL: no shutdown, nothing finished.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
