//! Clients that upload huge images and hang up cannot run the server out of memory. A
//! `gaillery serve` process gets 60 uploads of one 99-megapixel PNG (a few hundred kilobytes
//! that decode to 297 MB), started 50 ms apart, each client hanging up 0.1 to 0.3 s after it
//! started sending. Before the decode budget, every hang-up let one more decode start beside
//! those still running: the server reached 9 to 16 GB. With `--decode-memory-mb 1024` its peak
//! resident memory may grow by at most 1024 + 300 MB, and `/healthz` answers throughout.

use crate::support::{model_dir, signed_in_client, upload_to, ADMIN};
use gaillery_testkit::image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use gaillery_testkit::{servers, Noise};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const UPLOADS: u64 = 60;
const BUDGET_MB: u64 = 1024;
const MB: u64 = 1_000_000;

/// The server process; killed when dropped.
struct Server {
    child: Child,
    base: String,
    log: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let port = servers::free_port();
        let log = dir.join("server.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_gaillery"))
            .arg("serve")
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--model", "none", "--processing-threads", "2"])
            .args(["--decode-memory-mb", &BUDGET_MB.to_string()])
            .arg("--model-dir")
            .arg(model_dir())
            .arg("--site-root")
            .arg(dir.join("no-site"))
            .arg("--leptos-config")
            .arg(dir.join("no-leptos.toml"))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file)
            .spawn()
            .expect("gaillery starts");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// A figure of `/proc/PID/status`, in bytes: `VmRSS` now, `VmHWM` the peak so far.
    fn memory(&self, field: &str) -> u64 {
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

    async fn healthy(&self, client: &reqwest::Client) -> bool {
        let answer = client.get(format!("{}/healthz", self.base)).send().await;
        matches!(answer, Ok(response) if response.status().is_success())
    }
}

/// 9950 × 9950 pixels of soft gradients: about 99 megapixels that compress very well.
fn huge_png() -> Vec<u8> {
    let side = 9950;
    let image = RgbImage::from_fn(side, side, |x, y| {
        Rgb([(x / 40) as u8, (y / 40) as u8, ((x + y) / 80) as u8])
    });
    gaillery_testkit::encode(&DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hung_up_uploads_of_huge_images_stay_within_the_decode_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path());
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .no_proxy()
        .build()
        .expect("HTTP client");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !server.healthy(&probe).await {
        let log = std::fs::read_to_string(&server.log).unwrap_or_default();
        assert!(Instant::now() < deadline, "server did not start:\n{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let client = signed_in_client(&server.base, ADMIN).await;
    let png = tokio::task::spawn_blocking(huge_png).await.expect("PNG");
    let before = server.memory("VmRSS:");

    // /healthz every 200 ms while the uploads come and go.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let watcher = {
        let (probe, base) = (probe.clone(), server.base.clone());
        tokio::spawn(async move {
            let (mut answered, mut failed) = (0u32, 0u32);
            while !*stopped.borrow() {
                let answer = probe.get(format!("{base}/healthz")).send().await;
                match answer {
                    Ok(response) if response.status().is_success() => answered += 1,
                    _ => failed += 1,
                }
                let _ = tokio::time::timeout(Duration::from_millis(200), stopped.changed()).await;
            }
            (answered, failed)
        })
    };

    let mut noise = Noise(0x5eed);
    let mut uploads = Vec::new();
    for i in 0..UPLOADS {
        let hang_up_after = Duration::from_millis(100 + u64::from(noise.next_u32() % 201));
        let (client, url, png) = (
            client.clone(),
            format!("{}/api/photos", server.base),
            png.clone(),
        );
        uploads.push(tokio::spawn(async move {
            let upload = upload_to(&client, &url, [(format!("huge-{i}.png"), png)]);
            // Dropping the request closes its connection: the client is gone.
            let _ = tokio::time::timeout(hang_up_after, upload).await;
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for upload in uploads {
        upload.await.expect("upload task");
    }
    // The decodes already running finish; then the budget is all free again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let small = gaillery_testkit::photo_jpeg(640, 480, 1);
    let url = format!("{}/api/photos", server.base);
    let (status, _) = upload_to(&client, &url, [("after.jpg".to_owned(), small)]).await;
    let _ = stop.send(true);
    let (answered, failed) = watcher.await.expect("health watcher");

    let peak = server.memory("VmHWM:");
    let growth = peak.saturating_sub(before);
    println!(
        "resident memory: {} MB before, peak {} MB (growth {} MB); /healthz answered {answered}, \
         failed {failed}",
        before / MB,
        peak / MB,
        growth / MB
    );
    // One decode's buffer alone is 297 MB: less growth would mean none ran.
    assert!(growth > 250 * MB, "no huge image was decoded");
    assert!(
        growth < (BUDGET_MB + 300) * MB,
        "the server grew by {} MB",
        growth / MB
    );
    assert_eq!(failed, 0, "/healthz failed {failed} times");
    assert!(answered >= 10, "/healthz was asked throughout");
    assert_eq!(status, 201, "a normal upload goes through afterwards");
}
