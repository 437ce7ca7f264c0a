//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/` (or the directory
//! given as the only argument): small files made with the test kit's generators, the same on
//! every run. The files are committed; run this again after changing it:
//!
//! ```sh
//! cargo run -p gaillery-fuzz-seeds
//! ```

use gaillery_core::PhotoId;
use gaillery_storage::albums::AlbumCursor;
use gaillery_storage::catalog::PageCursor;
use gaillery_testkit::image::{DynamicImage, GrayImage, ImageFormat, Luma};
use gaillery_testkit::{self as kit, png_chunk};
use std::path::{Path, PathBuf};

/// Every seed stays under this, so the committed corpora stay small.
const MAX_SEED_BYTES: usize = 20 * 1024;
/// The boundary the `multipart` target's Content-Types name.
const BOUNDARY: &str = "gaillery-fuzz";

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus"));
    let images = images();
    write_all(&root.join("imaging"), &images);
    write_all(&root.join("exif"), &exif());
    write_all(&root.join("voice"), &voice());
    write_all(&root.join("cursor"), &cursors());
    write_all(&root.join("multipart"), &multipart(&images));
}

fn write_all(dir: &Path, seeds: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).expect("corpus directory");
    // Only this generator's files: a stale seed would otherwise stay.
    for entry in std::fs::read_dir(dir).expect("corpus directory") {
        std::fs::remove_file(entry.expect("entry").path()).expect("old seed removed");
    }
    for (name, bytes) in seeds {
        assert!(
            bytes.len() <= MAX_SEED_BYTES,
            "{name} is {} bytes",
            bytes.len()
        );
        std::fs::write(dir.join(name), bytes).expect("seed written");
    }
    let total: usize = seeds.iter().map(|(_, b)| b.len()).sum();
    println!("{}: {} seeds, {total} bytes", dir.display(), seeds.len());
}

fn named(name: &str, bytes: Vec<u8>) -> (String, Vec<u8>) {
    (name.to_owned(), bytes)
}

/// One small image of each format and variant the decoders handle.
fn images() -> Vec<(String, Vec<u8>)> {
    let photo = kit::photo_like(24, 16);
    let rgb = DynamicImage::ImageRgb8(photo.clone());
    let grey = DynamicImage::ImageLuma8(GrayImage::from_fn(12, 10, |x, y| {
        Luma([(x * 20 + y * 5) as u8])
    }));
    let mut progressive = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 85);
    encoder.set_progressive(true);
    encoder
        .encode(photo.as_raw(), 24, 16, jpeg_encoder::ColorType::Rgb)
        .expect("progressive JPEG");
    // A PNG whose eXIf chunk turns it (orientation 6, rotate 90°) and dates it.
    let png = kit::encode(&rgb, ImageFormat::Png);
    let png_exif = [
        &png[..33],
        &png_chunk(b"eXIf", &kit::exif_tiff(6, "2024:05:17 14:03:59")),
        &png[33..],
    ]
    .concat();
    vec![
        named("baseline.jpg", kit::jpeg(&photo, 80)),
        named("progressive.jpg", progressive),
        named(
            "exif-rotated.jpg",
            kit::with_exif(&kit::jpeg(&photo, 80), 6, "2024:05:17 14:03:59"),
        ),
        named("cmyk.jpg", kit::cmyk_jpeg(16, 8, [0, 200, 200, 20])),
        named("grey.jpg", kit::encode(&grey, ImageFormat::Jpeg)),
        named("rgb.png", png),
        named("exif.png", png_exif),
        named("16-bit.png", kit::png_16_bit(12, 8)),
        named("alpha.png", kit::png_with_alpha(12, 8)),
        named("grey.png", kit::encode(&grey, ImageFormat::Png)),
        named("bomb-header.png", kit::png_declaring(100_000, 100_000)),
        named("two-frames.gif", kit::gif_two_frames(12, 8)),
        named("lossless.webp", kit::webp(12, 8)),
        named("rgb.tiff", kit::encode(&rgb, ImageFormat::Tiff)),
        named("rgb.bmp", kit::encode(&rgb, ImageFormat::Bmp)),
    ]
}

/// TIFF blocks as they follow "Exif\0\0": every orientation, dates good and unset, and a
/// block cut short.
fn exif() -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = (1..=8)
        .map(|orientation| {
            named(
                &format!("orientation-{orientation}.tiff"),
                kit::exif_tiff(orientation, "2024:05:17 14:03:59"),
            )
        })
        .collect();
    seeds.push(named(
        "unset-clock.tiff",
        kit::exif_tiff(1, "0000:00:00 00:00:00"),
    ));
    seeds.push(named(
        "bad-orientation.tiff",
        kit::exif_tiff(9, "2024:13:01 25:61:61"),
    ));
    let whole = kit::exif_tiff(3, "1999:12:31 23:59:59");
    seeds.push(named("cut-short.tiff", whole[..whole.len() - 12].to_vec()));
    seeds.push(named("header-only.tiff", b"II*\0\x08\0\0\0".to_vec()));
    seeds.push(named(
        "big-endian-header.tiff",
        b"MM\0*\0\0\0\x08\0\0".to_vec(),
    ));
    seeds
}

/// Commands, tag and album requests, noisy and meaningless ones, from the parser's tests. The
/// parser knows English only.
fn voice() -> Vec<(String, Vec<u8>)> {
    [
        "show me dog photos",
        "display golden retreiver images",
        "filter by beach",
        "pictures of cars",
        "open the gallery",
        "next photo",
        "go back",
        "first one",
        "close",
        "zoom in please",
        "start the slideshow",
        "stop slideshow",
        "delete this photo",
        "yes",
        "cancel",
        "what can i say",
        "what's in this picture",
        "show all",
        "um okay can you show me the cat's pictures please",
        "hey gallery, open album Road Trip",
        "show the album called The Best of Us",
        "add this photo to my Holidays album",
        "put it in summer 2024",
        "the weather is nice today",
        "",
    ]
    .iter()
    .enumerate()
    .map(|(i, said)| named(&format!("{i:02}.txt"), said.as_bytes().to_vec()))
    .collect()
}

/// Valid cursors of both kinds, at the edges of their ranges, and a few near misses.
fn cursors() -> Vec<(String, Vec<u8>)> {
    let id = |raw: &str| PhotoId::parse(raw).expect("a photo id");
    let mut seeds = vec![
        PageCursor::after(1_795_705_445_123, &id("0123456789abcdefghijklmnopqrstuv")).encode(),
        PageCursor::after(0, &id("a")).encode(),
        PageCursor::after(i64::MIN, &id("zz")).encode(),
        PageCursor::after(-1, &id(&"9".repeat(64))).encode(),
        AlbumCursor {
            position: 3 * 1024,
            photo: id("1nz8q3fpk2"),
        }
        .encode(),
        AlbumCursor {
            position: i64::MAX,
            photo: id("b"),
        }
        .encode(),
    ];
    seeds.extend(
        ["+5.abc", "007.abc", "12.ABC", "12.", ".abc", "12", "1.2.3"]
            .iter()
            .map(|s| s.to_string()),
    );
    seeds
        .into_iter()
        .enumerate()
        .map(|(i, cursor)| named(&format!("{i:02}.txt"), cursor.into_bytes()))
        .collect()
}

/// Upload bodies, each after the byte that picks the target's Content-Type (0: a plain
/// boundary).
fn multipart(images: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let file = |name: &str| {
        let bytes = &images
            .iter()
            .find(|(n, _)| n == name)
            .expect("an image seed")
            .1;
        part("file", Some(name), bytes)
    };
    let body = |parts: &[Vec<u8>]| {
        let mut body = vec![0u8];
        for part in parts {
            body.extend_from_slice(part);
        }
        body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        body
    };
    vec![
        named("one-jpeg.bin", body(&[file("baseline.jpg")])),
        named(
            "png-gif-and-a-field.bin",
            body(&[
                part("note", None, b"not a file"),
                file("alpha.png"),
                file("two-frames.gif"),
            ]),
        ),
        named(
            "not-an-image.bin",
            body(&[part("file", Some("notes.txt"), b"hello, world\n")]),
        ),
        named("no-parts.bin", body(&[])),
    ]
}

fn part(name: &str, filename: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let disposition = match filename {
        Some(filename) => format!("form-data; name=\"{name}\"; filename=\"{filename}\""),
        None => format!("form-data; name=\"{name}\""),
    };
    let mut part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    part.extend_from_slice(bytes);
    part.extend_from_slice(b"\r\n");
    part
}
