//! `process` end to end, on images generated here: every accepted format, the awkward pixel
//! layouts (CMYK, 16-bit, alpha, grey), EXIF orientation and dates, and files that must be
//! refused. Outputs are decoded again and checked for size and colour.

use gaillery_imaging::{
    process, EncodedImage, ImagingError, Limits, ProcessedImage, SourceFormat, PREVIEW_LONG_SIDE,
    THUMBNAIL_2X_HEIGHT, THUMBNAIL_HEIGHT,
};
use image::{DynamicImage, ImageDecoder, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::Cursor;
use std::time::{Duration, Instant};

// Image generators are shared with the server's tests and the benchmarks (gaillery-testkit).
use gaillery_testkit::{
    encode, exif_tiff, insert_jpeg_segment as insert_segment, jpeg, jpeg_segment as segment,
    photo_like, png_chunk, png_declaring, remove_jpeg_segments as remove_segments, with_exif,
    Noise,
};

// ---------------------------------------------------------------- output checks

fn decode_output(out: &EncodedImage) -> RgbImage {
    assert_eq!(out.content_type, gaillery_imaging::DERIVED_CONTENT_TYPE);
    assert_eq!(out.content_type, "image/jpeg");
    let image =
        image::load_from_memory_with_format(&out.bytes, ImageFormat::Jpeg).expect("output decodes");
    assert_eq!(
        (image.width(), image.height()),
        (out.width, out.height),
        "declared size matches"
    );
    image.into_rgb8()
}

/// Checks the three outputs have the specified sizes for a displayed `width`×`height` photo.
fn assert_sizes(p: &ProcessedImage, thumb: (u32, u32), thumb_2x: (u32, u32), preview: (u32, u32)) {
    for (name, out, expected) in [
        ("thumbnail", &p.thumbnail, thumb),
        ("thumbnail_2x", &p.thumbnail_2x, thumb_2x),
        ("preview", &p.preview, preview),
    ] {
        decode_output(out);
        assert_eq!((out.width, out.height), expected, "{name} size");
    }
    assert!(p.thumbnail.height <= THUMBNAIL_HEIGHT && p.thumbnail_2x.height <= THUMBNAIL_2X_HEIGHT);
    assert!(p.preview.width.max(p.preview.height) <= PREVIEW_LONG_SIDE);
    // The placeholder is a ThumbHash of the same aspect ratio.
    use base64::Engine as _;
    let hash = base64::engine::general_purpose::STANDARD
        .decode(&p.placeholder)
        .expect("standard base64");
    let aspect = thumbhash::thumb_hash_to_approximate_aspect_ratio(&hash).expect("a ThumbHash");
    let expected = p.width as f32 / p.height as f32;
    assert!(
        (aspect - expected).abs() / expected < 0.3,
        "placeholder aspect {aspect} vs {expected}"
    );
}

/// Mean colour of a rectangle.
fn mean(image: &RgbImage, x0: u32, y0: u32, w: u32, h: u32) -> [f64; 3] {
    let mut sum = [0f64; 3];
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            let p = image.get_pixel(x, y);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
        }
    }
    sum.map(|s| s / f64::from(w * h))
}

fn assert_close(actual: [f64; 3], expected: [u8; 3], tolerance: f64, what: &str) {
    for c in 0..3 {
        assert!(
            (actual[c] - f64::from(expected[c])).abs() <= tolerance,
            "{what}: got {actual:?}, expected about {expected:?}"
        );
    }
}

fn limits() -> Limits {
    Limits::default()
}

// ---------------------------------------------------------------- tests

#[test]
fn a_12_megapixel_jpeg_gets_all_derived_images() {
    let source = jpeg(&photo_like(4000, 3000), 90);
    let started = Instant::now();
    let p = process(&source, &limits()).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(p.format, SourceFormat::Jpeg);
    assert_eq!((p.width, p.height), (4000, 3000));
    assert_eq!(p.taken_at, None);
    assert_sizes(&p, (480, 360), (960, 720), (2048, 1536));
    // The gradient survives: left is darker red than right, top darker green than bottom.
    let preview = decode_output(&p.preview);
    let (left, right) = (
        mean(&preview, 0, 700, 100, 100),
        mean(&preview, 1948, 700, 100, 100),
    );
    assert!(left[0] + 100.0 < right[0], "{left:?} {right:?}");
    // Timing is only meaningful with optimisations; the bench measures it properly.
    if !cfg!(debug_assertions) {
        assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    }
}

#[test]
fn exif_orientation_6_swaps_the_sides_and_dates_are_read() {
    // Stored 600×400 landscape with a red block top-left; the camera was held upright, so it
    // is shown rotated 90° clockwise: 400×600 with the block top-right.
    let mut stored = photo_like(600, 400);
    for y in 0..100 {
        for x in 0..100 {
            stored.put_pixel(x, y, Rgb([255, 0, 0]));
        }
    }
    let source = with_exif(&jpeg(&stored, 90), 6, "2023:07:14 18:30:05");
    let p = process(&source, &limits()).unwrap();
    assert_eq!((p.width, p.height), (400, 600));
    assert_eq!(p.taken_at.as_deref(), Some("2023-07-14T18:30:05"));
    assert_sizes(&p, (240, 360), (400, 600), (400, 600));
    let preview = decode_output(&p.preview);
    assert_close(
        mean(&preview, 320, 10, 70, 70),
        [255, 0, 0],
        25.0,
        "rotated red block",
    );
}

#[test]
fn all_eight_exif_orientations_are_applied() {
    // Stored 64×48 with red at the top-left corner and blue at the top-right one.
    let (w, h) = (64u32, 48u32);
    let mut stored = RgbImage::from_pixel(w, h, Rgb([128, 128, 128]));
    for y in 0..16 {
        for x in 0..16 {
            stored.put_pixel(x, y, Rgb([255, 0, 0]));
            stored.put_pixel(w - 1 - x, y, Rgb([0, 0, 255]));
        }
    }
    let plain = jpeg(&stored, 95);
    // Where each corner is displayed: (red corner, blue corner), as (right?, bottom?).
    let expected = [
        (1, (false, false), (true, false)),
        (2, (true, false), (false, false)),
        (3, (true, true), (false, true)),
        (4, (false, true), (true, true)),
        (5, (false, false), (false, true)),
        (6, (true, false), (true, true)),
        (7, (true, true), (true, false)),
        (8, (false, true), (false, false)),
    ];
    for (orientation, red_at, blue_at) in expected {
        let p = process(
            &with_exif(&plain, orientation, "2020:01:01 00:00:00"),
            &limits(),
        )
        .unwrap();
        let swapped = orientation >= 5;
        assert_eq!(
            (p.width, p.height),
            if swapped { (h, w) } else { (w, h) },
            "orientation {orientation}"
        );
        let shown = decode_output(&p.preview);
        let corner = |(right, bottom): (bool, bool)| {
            let x = if right { shown.width() - 10 } else { 2 };
            let y = if bottom { shown.height() - 10 } else { 2 };
            mean(&shown, x, y, 8, 8)
        };
        assert_close(
            corner(red_at),
            [255, 0, 0],
            40.0,
            &format!("red corner, orientation {orientation}"),
        );
        assert_close(
            corner(blue_at),
            [0, 0, 255],
            40.0,
            &format!("blue corner, orientation {orientation}"),
        );
    }
}

/// CMYK pixels: left half cyan ink, right half yellow ink, a black bar at the bottom.
fn cmyk_pixels(w: u32, h: u32) -> Vec<u8> {
    let mut ink = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            ink.extend_from_slice(match (x < w / 2, y >= h * 3 / 4) {
                (_, true) => &[0, 0, 0, 255],
                (true, false) => &[255, 0, 0, 0],
                (false, false) => &[0, 0, 255, 0],
            });
        }
    }
    ink
}

fn assert_cmyk_colours(p: &ProcessedImage, what: &str) {
    let shown = decode_output(&p.preview);
    let (w, h) = (shown.width(), shown.height());
    assert_close(
        mean(&shown, w / 8, h / 8, w / 4, h / 4),
        [0, 255, 255],
        30.0,
        &format!("{what} cyan"),
    );
    assert_close(
        mean(&shown, w * 5 / 8, h / 8, w / 4, h / 4),
        [255, 255, 0],
        30.0,
        &format!("{what} yellow"),
    );
    assert_close(
        mean(&shown, w / 8, h * 7 / 8, w / 4, h / 16),
        [0, 0, 0],
        30.0,
        &format!("{what} black"),
    );
}

#[test]
fn adobe_cmyk_and_ycck_jpegs_show_their_colours() {
    let (w, h) = (320u32, 240u32);
    for color_type in [
        jpeg_encoder::ColorType::Cmyk,
        jpeg_encoder::ColorType::CmykAsYcck,
    ] {
        // jpeg-encoder writes these the way Photoshop does: inverted, with an Adobe APP14 marker.
        let mut source = Vec::new();
        jpeg_encoder::Encoder::new(&mut source, 95)
            .encode(&cmyk_pixels(w, h), w as u16, h as u16, color_type)
            .unwrap();
        let p = process(&source, &limits()).unwrap();
        assert_eq!((p.width, p.height), (w, h));
        assert_cmyk_colours(&p, &format!("{color_type:?}"));
    }
}

#[test]
fn plain_cmyk_jpegs_without_the_adobe_marker_are_not_inverted() {
    let (w, h) = (320u32, 240u32);
    // Store ink values as they are: jpeg-encoder inverts what it is given, so give it 255 − ink,
    // then drop the Adobe marker that would say "inverted".
    let inverted: Vec<u8> = cmyk_pixels(w, h).iter().map(|v| 255 - v).collect();
    let mut adobe = Vec::new();
    jpeg_encoder::Encoder::new(&mut adobe, 95)
        .encode(&inverted, w as u16, h as u16, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let source = remove_segments(&adobe, 0xEE);
    assert!(
        source.len() < adobe.len(),
        "the APP14 segment was there to remove"
    );
    let p = process(&source, &limits()).unwrap();
    assert_cmyk_colours(&p, "plain CMYK");
}

#[test]
fn sixteen_bit_png_is_reduced_to_eight_bits() {
    let image = image::ImageBuffer::<Rgb<u16>, Vec<u16>>::from_fn(300, 200, |x, _| {
        if x < 150 {
            Rgb([0x8080, 0x2020, 0xFFFF])
        } else {
            Rgb([0xFFFF, 0xFFFF, 0])
        }
    });
    let source = encode(&DynamicImage::ImageRgb16(image), ImageFormat::Png);
    let p = process(&source, &limits()).unwrap();
    assert_eq!(p.format, SourceFormat::Png);
    assert_sizes(&p, (300, 200), (300, 200), (300, 200));
    let shown = decode_output(&p.preview);
    assert_close(
        mean(&shown, 20, 50, 100, 100),
        [0x80, 0x20, 0xFF],
        8.0,
        "16-bit left",
    );
    assert_close(
        mean(&shown, 180, 50, 100, 100),
        [255, 255, 0],
        8.0,
        "16-bit right",
    );
}

#[test]
fn alpha_is_flattened_onto_white() {
    // Left half transparent, right half opaque red.
    let image = RgbaImage::from_fn(400, 300, |x, _| {
        if x < 200 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([200, 0, 0, 255])
        }
    });
    let p = process(
        &encode(&DynamicImage::ImageRgba8(image), ImageFormat::Png),
        &limits(),
    )
    .unwrap();
    assert_sizes(&p, (400, 300), (400, 300), (400, 300));
    let shown = decode_output(&p.thumbnail);
    assert_close(
        mean(&shown, 20, 50, 150, 200),
        [255, 255, 255],
        6.0,
        "transparent half",
    );
    assert_close(
        mean(&shown, 230, 50, 150, 200),
        [200, 0, 0],
        10.0,
        "opaque half",
    );
}

#[test]
fn grayscale_png_and_jpeg_come_out_grey() {
    let grey = image::GrayImage::from_fn(500, 400, |x, _| image::Luma([(x / 2) as u8]));
    let png = encode(&DynamicImage::ImageLuma8(grey.clone()), ImageFormat::Png);
    let mut jpg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpg, 90)
        .encode(grey.as_raw(), 500, 400, jpeg_encoder::ColorType::Luma)
        .unwrap();
    for (source, format) in [(png, SourceFormat::Png), (jpg, SourceFormat::Jpeg)] {
        let p = process(&source, &limits()).unwrap();
        assert_eq!(p.format, format);
        assert_sizes(&p, (450, 360), (500, 400), (500, 400));
        let shown = decode_output(&p.preview);
        let m = mean(&shown, 200, 100, 20, 20);
        assert!(
            (m[0] - m[1]).abs() < 3.0 && (m[1] - m[2]).abs() < 3.0,
            "{format:?} grey stays grey: {m:?}"
        );
        assert!((m[0] - 105.0).abs() < 6.0, "{format:?} level kept: {m:?}");
    }
}

#[test]
fn webp_bmp_and_tiff_are_accepted() {
    let image = DynamicImage::ImageRgb8(photo_like(900, 600));
    for (format, expected) in [
        (ImageFormat::WebP, SourceFormat::Webp),
        (ImageFormat::Bmp, SourceFormat::Bmp),
        (ImageFormat::Tiff, SourceFormat::Tiff),
    ] {
        let p = process(&encode(&image, format), &limits()).unwrap();
        assert_eq!(p.format, expected);
        assert_sizes(&p, (540, 360), (900, 600), (900, 600));
    }
}

#[test]
fn an_animated_gif_shows_its_first_frame() {
    let red = RgbaImage::from_pixel(200, 100, Rgba([220, 20, 20, 255]));
    let blue = RgbaImage::from_pixel(200, 100, Rgba([20, 20, 220, 255]));
    let mut source = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut source);
        encoder
            .encode_frames([image::Frame::new(red), image::Frame::new(blue)])
            .unwrap();
    }
    let p = process(&source, &limits()).unwrap();
    assert_eq!(p.format, SourceFormat::Gif);
    assert_sizes(&p, (200, 100), (200, 100), (200, 100));
    assert_close(
        mean(&decode_output(&p.preview), 50, 25, 100, 50),
        [220, 20, 20],
        20.0,
        "first frame",
    );
}

#[test]
fn png_exif_orientation_and_date_are_used_too() {
    let png = encode(
        &DynamicImage::ImageRgb8(photo_like(300, 200)),
        ImageFormat::Png,
    );
    // eXIf goes before the first IDAT; IHDR ends at byte 33.
    let source = [
        &png[..33],
        &png_chunk(b"eXIf", &exif_tiff(8, "2019:12:31 23:59:58")),
        &png[33..],
    ]
    .concat();
    let p = process(&source, &limits()).unwrap();
    assert_eq!((p.width, p.height), (200, 300));
    assert_eq!(p.taken_at.as_deref(), Some("2019-12-31T23:59:58"));
    assert_sizes(&p, (200, 300), (200, 300), (200, 300));
}

#[test]
fn panoramas_get_wide_but_capped_thumbnails() {
    let p = process(&jpeg(&photo_like(4000, 500), 85), &limits()).unwrap();
    // 8:1. Thumbnails at most 4× their height wide; the 2x thumbnail is wider than the preview.
    assert_sizes(&p, (1440, 180), (2880, 360), (2048, 256));
}

#[test]
fn small_images_are_never_upscaled() {
    let p = process(&jpeg(&photo_like(200, 120), 90), &limits()).unwrap();
    assert_sizes(&p, (200, 120), (200, 120), (200, 120));
}

#[test]
fn an_rgb_icc_profile_is_carried_into_the_outputs_and_a_cmyk_one_is_not() {
    let profile = |space: &[u8; 4]| {
        let mut p = vec![0u8; 132];
        p[..4].copy_from_slice(&132u32.to_be_bytes());
        p[12..16].copy_from_slice(b"mntr");
        p[16..20].copy_from_slice(space);
        p[36..40].copy_from_slice(b"acsp");
        p
    };
    let plain = jpeg(&photo_like(300, 200), 90);
    for (space, carried) in [(b"RGB ", true), (b"CMYK", false)] {
        let icc = profile(space);
        let source = insert_segment(
            &plain,
            &segment(0xE2, &[b"ICC_PROFILE\0\x01\x01".as_slice(), &icc].concat()),
        );
        let p = process(&source, &limits()).unwrap();
        for out in [&p.thumbnail, &p.thumbnail_2x, &p.preview] {
            let mut decoder =
                image::codecs::jpeg::JpegDecoder::new(Cursor::new(&out.bytes)).unwrap();
            let found = decoder.icc_profile().unwrap();
            assert_eq!(
                found.as_deref() == Some(icc.as_slice()),
                carried,
                "{:?}",
                String::from_utf8_lossy(space)
            );
        }
    }
}

#[test]
fn broken_exif_is_ignored() {
    let plain = jpeg(&photo_like(300, 200), 90);
    let mut tiff = exif_tiff(6, "2023:07:14 18:30:05");
    tiff.truncate(20); // the IFD now points past the end
    let source = insert_segment(
        &plain,
        &segment(0xE1, &[b"Exif\0\0".as_slice(), &tiff].concat()),
    );
    let p = process(&source, &limits()).unwrap();
    assert_eq!((p.width, p.height, p.taken_at), (300, 200, None));
    let garbage = insert_segment(&plain, &segment(0xE1, b"Exif\0\0\xFF\xFF\xFF\xFF"));
    assert_eq!(process(&garbage, &limits()).unwrap().width, 300);
}

#[test]
fn a_truncated_jpeg_is_corrupt() {
    // A truncated upload would decode with grey rows; it is refused so it can be sent again.
    let source = jpeg(&photo_like(800, 600), 90);
    let cut = &source[..source.len() / 2];
    match process(cut, &limits()) {
        Err(ImagingError::Corrupt(message)) => assert!(message.contains("truncated"), "{message}"),
        other => panic!("expected Corrupt, got {other:?}"),
    }
    // Cut inside the header: still Corrupt, not Unsupported, since the magic bytes are there.
    for end in [3, 20, 100, 200, 400] {
        let result = process(&source[..end], &limits());
        assert!(
            matches!(result, Err(ImagingError::Corrupt(_))),
            "cut at {end}: {result:?}"
        );
    }
}

#[test]
fn a_truncated_progressive_jpeg_is_corrupt_too() {
    let mut source = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut source, 90);
    encoder.set_progressive(true);
    let image = photo_like(640, 480);
    encoder
        .encode(image.as_raw(), 640, 480, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    for fraction in [0.3, 0.6, 0.9] {
        let cut = &source[..(source.len() as f64 * fraction) as usize];
        assert!(
            matches!(process(cut, &limits()), Err(ImagingError::Corrupt(_))),
            "cut at {fraction}"
        );
    }
}

#[test]
fn stray_bytes_between_segments_are_tolerated_like_libjpeg_does() {
    // libjpeg warns ("extraneous bytes before marker") but decodes; so do browsers. The file is
    // complete, so this warning must not be mistaken for truncation.
    let plain = jpeg(&photo_like(300, 200), 90);
    let source = insert_segment(&plain, b"\0\0\0");
    let p = process(&source, &limits()).unwrap();
    assert_sizes(&p, (300, 200), (300, 200), (300, 200));
}

#[test]
fn random_bytes_and_text_are_unsupported() {
    let mut noise = Noise(12345);
    let random: Vec<u8> = (0..10_000).map(|_| noise.next_u32() as u8).collect();
    let text = b"Dear gallery, this is not a photo. Please store it anyway.\n".repeat(50);
    for data in [
        random.as_slice(),
        text.as_slice(),
        b"",
        b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    ] {
        let error = process(data, &limits()).unwrap_err();
        assert!(matches!(error, ImagingError::Unsupported), "{error:?}");
        assert!(error
            .to_string()
            .contains("JPEG, PNG, WebP, GIF, BMP and TIFF"));
    }
}

#[test]
fn a_png_bomb_is_refused_from_its_header_quickly() {
    let bomb = png_declaring(50_000, 50_000);
    assert!(bomb.len() < 100, "the bomb is a {}-byte file", bomb.len());
    let started = Instant::now();
    let error = process(&bomb, &limits()).unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(
            error,
            ImagingError::TooManyPixels {
                width: 50_000,
                height: 50_000,
                max_pixels: 100_000_000
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "image is 50000×50000 (2500 megapixels); the limit is 100 megapixels"
    );
    // Decoding 2.5 gigapixels would take seconds and 7.5 GB; reading a header takes microseconds.
    assert!(elapsed < Duration::from_millis(200), "took {elapsed:?}");
}

#[test]
fn over_long_sides_and_jpeg_bombs_are_refused_too() {
    let strip = png_declaring(40_000, 10);
    assert!(matches!(
        process(&strip, &limits()).unwrap_err(),
        ImagingError::TooLarge {
            width: 40_000,
            height: 10,
            ..
        }
    ));
    // A JPEG whose frame header declares 60000×60000.
    let mut source = jpeg(&photo_like(16, 16), 90);
    let sof = source.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    source[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    let started = Instant::now();
    assert!(matches!(
        process(&source, &limits()).unwrap_err(),
        ImagingError::TooManyPixels { width: 60_000, .. }
    ));
    assert!(started.elapsed() < Duration::from_millis(200));
    // Custom limits apply.
    let tight = Limits {
        max_pixels: 1_000,
        max_dimension: 30_000,
    };
    assert!(matches!(
        process(&jpeg(&photo_like(100, 100), 90), &tight),
        Err(ImagingError::TooManyPixels { .. })
    ));
}

#[test]
fn damaged_files_of_every_format_fail_cleanly() {
    let image = DynamicImage::ImageRgb8(photo_like(120, 80));
    let sources = [
        jpeg(&photo_like(120, 80), 90),
        encode(&image, ImageFormat::Png),
        encode(&image, ImageFormat::WebP),
        encode(&image, ImageFormat::Gif),
        encode(&image, ImageFormat::Bmp),
        encode(&image, ImageFormat::Tiff),
    ];
    let mut noise = Noise(777);
    let mut refused = 0;
    for source in &sources {
        for round in 0..40 {
            let mut damaged = source.clone();
            if round % 2 == 0 {
                damaged.truncate(12 + noise.next_u32() as usize % (source.len() - 12));
            } else {
                for _ in 0..8 {
                    let at = 12 + noise.next_u32() as usize % (source.len() - 12);
                    damaged[at] = noise.next_u32() as u8;
                }
            }
            // The magic bytes are intact, so the answer is an image or Corrupt, never a panic,
            // never Unsupported, and never an image of the wrong size.
            match process(&damaged, &limits()) {
                Ok(p) => assert!(p.preview.width <= 120 && p.preview.height <= 80),
                Err(ImagingError::Corrupt(_)) => refused += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(refused > 0, "some damage must be detected");
}

#[test]
fn jpegs_with_any_chroma_subsampling_progressive_or_restart_markers_decode() {
    use jpeg_encoder::SamplingFactor as S;
    let stored = photo_like(333, 222);
    let reference = mean(&stored, 100, 50, 100, 100).map(|v| v.round() as u8);
    // The odd-sized right and bottom edges must line up too (TurboJPEG pads the Y plane).
    let right_edge = mean(&stored, 328, 50, 5, 100).map(|v| v.round() as u8);
    let bottom_edge = mean(&stored, 100, 217, 100, 5).map(|v| v.round() as u8);
    let mut variants: Vec<(String, Vec<u8>)> = Vec::new();
    for sampling in [
        S::R_4_4_4,
        S::R_4_4_0,
        S::R_4_4_1,
        S::R_4_2_2,
        S::R_4_2_0,
        S::R_4_2_1,
        S::R_4_1_1,
        S::R_4_1_0,
    ] {
        for progressive in [false, true] {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
            encoder.set_sampling_factor(sampling);
            encoder.set_progressive(progressive);
            if !progressive {
                encoder.set_restart_interval(4);
            }
            encoder
                .encode(stored.as_raw(), 333, 222, jpeg_encoder::ColorType::Rgb)
                .unwrap();
            variants.push((format!("{sampling:?} progressive={progressive}"), out));
        }
    }
    for (name, source) in variants {
        let p = process(&source, &limits()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_sizes(&p, (333, 222), (333, 222), (333, 222));
        let preview = decode_output(&p.preview);
        assert_close(mean(&preview, 100, 50, 100, 100), reference, 6.0, &name);
        assert_close(
            mean(&preview, 328, 50, 5, 100),
            right_edge,
            8.0,
            &format!("{name} right edge"),
        );
        assert_close(
            mean(&preview, 100, 217, 100, 5),
            bottom_edge,
            8.0,
            &format!("{name} bottom edge"),
        );
    }
}
