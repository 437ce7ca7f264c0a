//! Clients that upload huge images and hang up cannot run the server out of memory. A
//! `gaillery serve` process gets 60 uploads of one 99-megapixel PNG (a few hundred kilobytes
//! that decode to 297 MB), started 50 ms apart, each client hanging up 0.1 to 0.3 s after it
//! started sending. Before the decode budget, every hang-up let one more decode start beside
//! those still running: the server reached 9 to 16 GB. With `--decode-memory-mb 1024` its peak
//! resident memory may grow by at most 1024 + 300 MB, and `/healthz` answers throughout.

use crate::process::GailleryProcess;
use crate::support::{signed_in_client, signed_in_client_within, upload_to, ADMIN};
use gaillery_testkit::image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use gaillery_testkit::Noise;
use std::time::Duration;

const UPLOADS: u64 = 60;
const BUDGET_MB: u64 = 1024;
const MB: u64 = 1_000_000;

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
    let budget = BUDGET_MB.to_string();
    let server = GailleryProcess::start(
        dir.path(),
        &[
            "--model",
            "none",
            "--processing-threads",
            "2",
            "--decode-memory-mb",
            &budget,
        ],
    )
    .await;
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .no_proxy()
        .build()
        .expect("HTTP client");
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
    // It waits for the decodes still running (slow on a busy machine) to free the budget.
    let small = gaillery_testkit::photo_jpeg(640, 480, 1);
    let url = format!("{}/api/photos", server.base);
    let patient = signed_in_client_within(&server.base, ADMIN, Duration::from_secs(300)).await;
    let upload = upload_to(&patient, &url, [("after.jpg".to_owned(), small)]);
    let (status, _) = tokio::time::timeout(Duration::from_secs(300), upload)
        .await
        .expect("the upload is answered within 5 minutes");
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
