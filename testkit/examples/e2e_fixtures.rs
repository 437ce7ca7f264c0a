//! Writes the images the browser tests upload into a folder:
//!
//! ```text
//! cargo run -p gaillery-testkit --example e2e_fixtures -- end2end/fixtures
//! ```
//!
//! Every photo is distinct (its own seed), so uploading them never hits deduplication, and the
//! set covers the shapes the justified grid must handle: landscape, portrait, square, 16:9,
//! 9:16 and a 4:1 panorama, plus an EXIF-rotated photo with a date taken, a PNG with alpha, a
//! WebP, and two files the server must refuse (text, a truncated JPEG).

use gaillery_testkit::{photo_jpeg, png_with_alpha, webp, with_exif};
use std::path::{Path, PathBuf};

fn main() {
    let folder = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("end2end/fixtures"));
    std::fs::create_dir_all(&folder).expect("the fixtures folder can be created");

    let photos: [(&str, u32, u32, u32); 6] = [
        ("landscape-4x3.jpg", 640, 480, 11),
        ("portrait-3x4.jpg", 480, 640, 12),
        ("square.jpg", 512, 512, 13),
        ("panorama-4x1.jpg", 960, 240, 14),
        ("wide-16x9.jpg", 640, 360, 15),
        ("tall-9x16.jpg", 360, 640, 16),
    ];
    for (name, width, height, seed) in photos {
        write(&folder, name, &photo_jpeg(width, height, seed));
    }

    // Stored 640×480 but shown 480×640: orientation 6 is "rotate 90° clockwise".
    write(
        &folder,
        "rotated-exif.jpg",
        &with_exif(&photo_jpeg(640, 480, 17), 6, "2021:07:14 18:30:05"),
    );
    write(&folder, "alpha.png", &png_with_alpha(320, 240));
    write(&folder, "photo.webp", &webp(240, 180));

    // Refused by the server: not an image at all, and a JPEG cut off half-way.
    write(
        &folder,
        "not-a-photo.txt",
        b"This is a text file, not a photo.\n",
    );
    let whole = photo_jpeg(400, 300, 18);
    write(&folder, "truncated.jpg", &whole[..whole.len() / 2]);
}

fn write(folder: &Path, name: &str, bytes: &[u8]) {
    let path = folder.join(name);
    std::fs::write(&path, bytes)
        .unwrap_or_else(|e| panic!("{} cannot be written: {e}", path.display()));
    println!("{:>8} bytes  {}", bytes.len(), path.display());
}
