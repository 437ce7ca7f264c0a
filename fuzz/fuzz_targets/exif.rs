//! EXIF parsing, through the public API: the input is the TIFF block of an EXIF segment,
//! carried by a small valid JPEG (APP1 `Exif\0\0`) and a small valid PNG (`eXIf` chunk), each
//! then processed. EXIF is read by `gaillery_imaging`'s private `metadata` module; going
//! through `process` fuzzes it exactly as uploads reach it.
//!
//! Property: nothing panics, and a broken EXIF block never breaks a good image: both files
//! are processed, whatever the block says (a bad orientation or date is treated as absent).

#![no_main]

use gaillery_imaging::{process, Limits};
use gaillery_testkit::{insert_jpeg_segment, jpeg_segment, png_chunk};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const LIMITS: Limits = Limits {
    max_pixels: 4_000_000,
    max_dimension: 4096,
};

/// A segment's length field counts itself (2 bytes) and the payload, "Exif\0\0" included.
const MAX_TIFF: usize = 65_535 - 2 - 6;

/// The two carriers, made once: an 8×6 photo-like JPEG and the same as a PNG.
fn carriers() -> &'static (Vec<u8>, Vec<u8>) {
    static CARRIERS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    CARRIERS.get_or_init(|| {
        let photo = gaillery_testkit::photo_like(8, 6);
        let jpeg = gaillery_testkit::jpeg(&photo, 90);
        let png = gaillery_testkit::encode(
            &gaillery_testkit::image::DynamicImage::ImageRgb8(photo),
            gaillery_testkit::image::ImageFormat::Png,
        );
        (jpeg, png)
    })
}

fuzz_target!(|tiff: &[u8]| {
    let tiff = &tiff[..tiff.len().min(MAX_TIFF)];
    let (jpeg, png) = carriers();

    let payload = [b"Exif\0\0".as_slice(), tiff].concat();
    let with_exif = insert_jpeg_segment(jpeg, &jpeg_segment(0xE1, &payload));
    let processed = process(&with_exif, &LIMITS);
    assert!(processed.is_ok(), "the JPEG is refused: {processed:?}");
    check(processed.unwrap());

    // Signature (8 bytes) and IHDR (25): the eXIf chunk goes before the image data.
    let at = 8 + 25;
    let with_exif = [&png[..at], &png_chunk(b"eXIf", tiff), &png[at..]].concat();
    let processed = process(&with_exif, &LIMITS);
    assert!(processed.is_ok(), "the PNG is refused: {processed:?}");
    check(processed.unwrap());
});

fn check(processed: gaillery_imaging::ProcessedImage) {
    // 8×6, or 6×8 once a rotating orientation is applied.
    let size = (processed.width, processed.height);
    assert!(size == (8, 6) || size == (6, 8), "{size:?}");
    if let Some(taken) = &processed.taken_at {
        // `YYYY-MM-DDTHH:MM:SS`.
        let b = taken.as_bytes();
        assert_eq!(b.len(), 19, "{taken}");
        assert!(b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':');
    }
}
