//! Derived images for a 12 MP photo: `gaillery_imaging::process` against libvips.
//!
//! Both sides make the same three JPEGs at quality 82 from the same file: a 2048×1536 preview
//! and 960×720 / 480×360 thumbnails (libvips' `vipsthumbnail` uses shrink-on-load and a
//! Lanczos3 reduce, as `process` uses DCT scaling and a Lanczos3 convolution). Fairness:
//!
//! - `process` runs on one thread. libvips runs with its default thread pool and, separately,
//!   with `VIPS_CONCURRENCY=1`; both are reported.
//! - libvips runs as subprocesses, so each invocation pays process start-up and library
//!   initialisation. That cost is measured on its own (`vips --version`) and reported, so it can
//!   be subtracted.
//! - libvips gets two strategies: each output from the original (three full loads, each with
//!   its best shrink-on-load factor), and chained like `process` (preview from the original,
//!   thumbnails from the preview). The faster one is the fair comparison.
//! - Before timing, the libvips outputs are checked to have the same sizes as ours.
//!
//! Run: `cargo bench -p gaillery-bench --bench derived_images`

use criterion::{criterion_group, criterion_main, Criterion};
use gaillery_imaging::{process, Limits};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

/// Smooth gradients with a few soft "objects" and sensor-like noise, written as a quality-90
/// 4:2:0 JPEG, the way cameras save photos. libvips does the encoding, so the bench needs no
/// JPEG encoder of its own.
fn write_photo_like_jpeg(dir: &Path) -> PathBuf {
    let mut ppm = format!("P6\n{WIDTH} {HEIGHT}\n255\n").into_bytes();
    let mut state = 0x2545_F491u32;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state % 17) as f32 - 8.0;
            let (fx, fy) = (x as f32 / WIDTH as f32, y as f32 / HEIGHT as f32);
            let blob = (-((fx - 0.6).powi(2) + (fy - 0.4).powi(2)) * 20.0).exp() * 90.0;
            let r = 40.0 + fx * 150.0 + (fy * 9.0).sin() * 30.0 + blob + noise;
            let g = 60.0 + fy * 140.0 + (fx * 7.0).cos() * 25.0 + noise;
            let b = 90.0 + (fx + fy) * 60.0 - blob * 0.5 + noise;
            ppm.extend([r, g, b].map(|v| v.clamp(0.0, 255.0) as u8));
        }
    }
    let ppm_path = dir.join("photo.ppm");
    std::fs::write(&ppm_path, ppm).expect("write the PPM");
    let jpeg_path = dir.join("photo.jpg");
    let status = Command::new("vips")
        .arg("copy")
        .arg(&ppm_path)
        .arg(format!("{}[Q=90,subsample_mode=on]", jpeg_path.display()))
        .status()
        .expect("run vips (Debian package libvips-tools)");
    assert!(status.success(), "vips copy failed");
    jpeg_path
}

/// One `vipsthumbnail` invocation: `size` is libvips' geometry ("2048x2048", "x720").
fn vipsthumbnail(input: &Path, size: &str, output: &Path, single_thread: bool) {
    let mut command = Command::new("vipsthumbnail");
    command
        .arg(input)
        .arg("--size")
        .arg(size)
        .arg("-o")
        .arg(format!("{}[Q=82]", output.display()));
    if single_thread {
        command.env("VIPS_CONCURRENCY", "1");
    }
    let status = command.status().expect("run vipsthumbnail");
    assert!(status.success(), "vipsthumbnail failed");
}

/// The three outputs, each from the original.
fn vips_independent(input: &Path, out: &Path, single_thread: bool) {
    vipsthumbnail(input, "2048x2048", &out.join("preview.jpg"), single_thread);
    vipsthumbnail(input, "x720", &out.join("thumb2x.jpg"), single_thread);
    vipsthumbnail(input, "x360", &out.join("thumb.jpg"), single_thread);
}

/// The preview from the original, the thumbnails from the preview (what `process` does).
fn vips_chained(input: &Path, out: &Path, single_thread: bool) {
    let preview = out.join("preview.jpg");
    vipsthumbnail(input, "2048x2048", &preview, single_thread);
    vipsthumbnail(&preview, "x720", &out.join("thumb2x.jpg"), single_thread);
    vipsthumbnail(&preview, "x360", &out.join("thumb.jpg"), single_thread);
}

fn vips_size(path: &Path) -> (u32, u32) {
    let field = |name: &str| -> u32 {
        let out = Command::new("vipsheader")
            .arg("-f")
            .arg(name)
            .arg(path)
            .output()
            .expect("run vipsheader");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a number")
    };
    (field("width"), field("height"))
}

fn derived_images(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = write_photo_like_jpeg(dir.path());
    let data = std::fs::read(&input).expect("read the JPEG");
    let limits = Limits::default();

    // Same outputs on both sides.
    let ours = process(&data, &limits).expect("process the photo");
    for strategy in [vips_independent, vips_chained] {
        strategy(&input, dir.path(), false);
        assert_eq!(
            vips_size(&dir.path().join("preview.jpg")),
            (ours.preview.width, ours.preview.height)
        );
        assert_eq!(
            vips_size(&dir.path().join("thumb2x.jpg")),
            (ours.thumbnail_2x.width, ours.thumbnail_2x.height)
        );
        assert_eq!(
            vips_size(&dir.path().join("thumb.jpg")),
            (ours.thumbnail.width, ours.thumbnail.height)
        );
    }
    println!(
        "12 MP photo: {} KB; ours: preview {} KB, thumbnails {} KB + {} KB",
        data.len() / 1024,
        ours.preview.bytes.len() / 1024,
        ours.thumbnail_2x.bytes.len() / 1024,
        ours.thumbnail.bytes.len() / 1024
    );

    let mut group = c.benchmark_group("derived_images_12mp");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(3));
    group.bench_function("gaillery_process_1_thread", |b| {
        b.iter(|| process(black_box(&data), &limits))
    });
    let out = dir.path();
    group.bench_function("vips_independent_default_threads", |b| {
        b.iter(|| vips_independent(&input, out, false))
    });
    group.bench_function("vips_independent_1_thread", |b| {
        b.iter(|| vips_independent(&input, out, true))
    });
    group.bench_function("vips_chained_default_threads", |b| {
        b.iter(|| vips_chained(&input, out, false))
    });
    group.bench_function("vips_chained_1_thread", |b| {
        b.iter(|| vips_chained(&input, out, true))
    });
    // Start-up cost of one libvips subprocess; each strategy above pays it three times.
    group.bench_function("vips_startup_only", |b| {
        b.iter(|| {
            let status = Command::new("vips")
                .arg("--version")
                .output()
                .expect("run vips");
            assert!(status.status.success());
        })
    });
    group.finish();
}

criterion_group!(benches, derived_images);
criterion_main!(benches);
