//! Test images, generated deterministically so no large binary files are committed: photo-like
//! JPEGs of any size, EXIF orientation and dates, CMYK, 16-bit, alpha, animated GIFs, and the
//! header of a decompression bomb.
//!
//! For tests and benchmarks only; every function panics on failure, which is what a test wants.
//! The modules `servers` and `proxy` run the storage services of the AWS adapters' tests;
//! `memory` and `failing` are storage adapters for the tests of the layers above storage.

pub use image;

pub mod failing;
pub mod memory;
pub mod proxy;
pub mod servers;

use image::codecs::gif::GifEncoder;
use image::{DynamicImage, Frame, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::Cursor;

/// A deterministic xorshift generator, so test images are the same on every run.
pub struct Noise(pub u32);

impl Noise {
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// Smooth gradients plus noise: compresses and resizes like a photo, not like flat colour.
pub fn photo_like(width: u32, height: u32) -> RgbImage {
    photo_like_seeded(width, height, 0x9E37_79B9)
}

/// Like [`photo_like`], but a different seed gives different bytes (for distinct uploads).
pub fn photo_like_seeded(width: u32, height: u32, seed: u32) -> RgbImage {
    let mut noise = Noise(seed.max(1));
    RgbImage::from_fn(width, height, |x, y| {
        let n = noise.next_u32() % 24;
        Rgb([
            ((x * 200 / width) + n).min(255) as u8,
            ((y * 200 / height) + n).min(255) as u8,
            (((x + y) * 120 / (width + height)) + 60 + n).min(255) as u8,
        ])
    })
}

/// Baseline JPEG of an RGB image.
pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(
            image.as_raw(),
            dimension(image.width()),
            dimension(image.height()),
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("JPEG encodes");
    out
}

/// A photo-like JPEG, `seed` making it unique.
pub fn photo_jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    jpeg(&photo_like_seeded(width, height, seed), 90)
}

/// A CMYK JPEG of the given solid colour (C, M, Y, K in 0..=255, 255 = full ink), written with
/// the Adobe marker as Photoshop does.
pub fn cmyk_jpeg(width: u32, height: u32, cmyk: [u8; 4]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height).flat_map(|_| cmyk).collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(
            &pixels,
            dimension(width),
            dimension(height),
            jpeg_encoder::ColorType::Cmyk,
        )
        .expect("CMYK JPEG encodes");
    out
}

/// Encodes with the `image` crate.
pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("image encodes");
    out.into_inner()
}

/// A 16-bit-per-channel RGB PNG.
pub fn png_16_bit(width: u32, height: u32) -> Vec<u8> {
    let image = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_fn(width, height, |x, y| {
        Rgb([
            (x * 65535 / width) as u16,
            (y * 65535 / height) as u16,
            30000,
        ])
    });
    encode(&DynamicImage::ImageRgb16(image), ImageFormat::Png)
}

/// An RGBA PNG whose left half is transparent.
pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgba([255, 0, 0, 0])
        } else {
            Rgba([20, 120, 220, 255])
        }
    });
    encode(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A (lossless) WebP.
pub fn webp(width: u32, height: u32) -> Vec<u8> {
    encode(
        &DynamicImage::ImageRgb8(photo_like(width, height)),
        ImageFormat::WebP,
    )
}

/// An animated GIF of two frames, red then blue.
pub fn gif_two_frames(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        for colour in [[220, 20, 20, 255], [20, 20, 220, 255]] {
            let frame = Frame::new(RgbaImage::from_pixel(width, height, Rgba(colour)));
            encoder.encode_frame(frame).expect("GIF frame encodes");
        }
    }
    out
}

/// A JPEG segment: marker, big-endian length, payload.
pub fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, marker];
    let length = u16::try_from(payload.len() + 2).expect("segment fits in 64 KiB");
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(payload);
    segment
}

/// Inserts a segment after SOI and the JFIF APP0 segment, where cameras put EXIF.
pub fn insert_jpeg_segment(jpeg: &[u8], segment: &[u8]) -> Vec<u8> {
    let mut at = 2;
    if jpeg[2..4] == [0xFF, 0xE0] {
        at = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    }
    [&jpeg[..at], segment, &jpeg[at..]].concat()
}

/// Removes every segment with this marker before the image data.
pub fn remove_jpeg_segments(jpeg: &[u8], marker: u8) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    let mut pos = 2;
    while jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA {
        let end = pos + 2 + u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]) as usize;
        if jpeg[pos + 1] != marker {
            out.extend_from_slice(&jpeg[pos..end]);
        }
        pos = end;
    }
    out.extend_from_slice(&jpeg[pos..]);
    out
}

/// A little-endian TIFF block with IFD0 { Orientation } and an EXIF IFD { DateTimeOriginal },
/// as cameras write into APP1 (after "Exif\0\0") or PNG's eXIf chunk. `taken` is
/// `YYYY:MM:DD HH:MM:SS`.
pub fn exif_tiff(orientation: u16, taken: &str) -> Vec<u8> {
    assert_eq!(taken.len(), 19, "EXIF dates are YYYY:MM:DD HH:MM:SS");
    let mut t = b"II\x2A\x00\x08\x00\x00\x00".to_vec();
    let exif_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    let date_at: u32 = exif_ifd + 2 + 12 + 4;
    t.extend_from_slice(&2u16.to_le_bytes());
    // Orientation: SHORT, 1 value, inline.
    t.extend_from_slice(&0x0112u16.to_le_bytes());
    t.extend_from_slice(&3u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&orientation.to_le_bytes());
    t.extend_from_slice(&[0, 0]);
    // ExifIFDPointer: LONG.
    t.extend_from_slice(&0x8769u16.to_le_bytes());
    t.extend_from_slice(&4u16.to_le_bytes());
    t.extend_from_slice(&1u32.to_le_bytes());
    t.extend_from_slice(&exif_ifd.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    // EXIF IFD: DateTimeOriginal, ASCII, 20 bytes with the NUL.
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&0x9003u16.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&20u32.to_le_bytes());
    t.extend_from_slice(&date_at.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(taken.as_bytes());
    t.push(0);
    t
}

/// The JPEG with an APP1 EXIF segment carrying an orientation and a date taken.
pub fn with_exif(jpeg: &[u8], orientation: u16, taken: &str) -> Vec<u8> {
    let payload = [b"Exif\0\0".as_slice(), &exif_tiff(orientation, taken)].concat();
    insert_jpeg_segment(jpeg, &jpeg_segment(0xE1, &payload))
}

pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let length = u32::try_from(data.len()).expect("chunk fits in 4 GiB");
    let mut chunk = length.to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    chunk.extend_from_slice(&crc32(&[kind.as_slice(), data].concat()).to_be_bytes());
    chunk
}

/// A valid PNG header declaring `width`×`height`, with a few bytes of (useless) image data: the
/// shape of a decompression bomb.
pub fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        png_chunk(b"IHDR", &ihdr),
        png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
        png_chunk(b"IEND", &[]),
    ]
    .concat()
}

fn dimension(value: u32) -> u16 {
    u16::try_from(value).expect("JPEG sides are at most 65535")
}
