//! `peak_memory` against what decoding really allocates. The test binary counts every
//! allocation made through Rust's allocator (libjpeg-turbo's own working memory is malloc'd
//! and not seen; the estimate adds it for progressive JPEGs, where it is large). One test
//! function only, so no other test allocates while one is measured.

use gaillery_imaging::{decode_center_crop, peak_memory, process, DecodePurpose, Limits};
use gaillery_testkit::{cmyk_jpeg, encode, photo_jpeg, photo_like, png_16_bit, png_with_alpha};
use image::{DynamicImage, GrayImage, ImageFormat};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live =
                LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed) + layout.size() as u64;
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes `work` had allocated at once beyond what was live before it, plus `held`
/// (the file's bytes, which the estimate counts and which are already allocated here).
fn measured_peak(held: usize, work: impl FnOnce()) -> u64 {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    work();
    PEAK.load(Ordering::Relaxed) - before + held as u64
}

const MB: u64 = 1 << 20;

#[test]
fn the_estimate_covers_what_decoding_allocates_without_gross_excess() {
    let limits = Limits::default();
    // What the decode would refuse, the estimate refuses, from the header alone.
    let refused = DecodePurpose::DerivedImages;
    assert!(peak_memory(b"not an image", &limits, refused).is_err());
    let bomb = gaillery_testkit::png_declaring(60_000, 60_000);
    assert!(peak_memory(&bomb, &limits, refused).is_err());

    let grey = encode(
        &DynamicImage::ImageLuma8(GrayImage::from_fn(2000, 1500, |x, y| {
            image::Luma([((x ^ y) & 0xFF) as u8])
        })),
        ImageFormat::Png,
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("12 MP JPEG", photo_jpeg(4000, 3000, 7)),
        ("CMYK JPEG", cmyk_jpeg(2000, 1500, [10, 200, 30, 40])),
        (
            "RGB PNG",
            encode(
                &DynamicImage::ImageRgb8(photo_like(2000, 1500)),
                ImageFormat::Png,
            ),
        ),
        ("16-bit PNG", png_16_bit(2000, 1500)),
        ("RGBA PNG", png_with_alpha(2000, 1500)),
        ("grey PNG", grey),
    ];
    for (name, data) in &cases {
        for purpose in [
            DecodePurpose::DerivedImages,
            DecodePurpose::ModelInput {
                resize_shorter: 256,
            },
        ] {
            let estimate = peak_memory(data, &limits, purpose).expect("the header reads");
            let measured = measured_peak(data.len(), || match purpose {
                DecodePurpose::DerivedImages => {
                    process(data, &limits).expect("decodes");
                }
                DecodePurpose::ModelInput { resize_shorter } => {
                    decode_center_crop(data, &limits, resize_shorter, 224).expect("decodes");
                }
            });
            let what = format!(
                "{name} for {purpose:?}: estimated {:.1} MB, allocated {:.1} MB",
                estimate as f64 / MB as f64,
                measured as f64 / MB as f64
            );
            println!("{what}");
            assert!(estimate >= measured, "too low: {what}");
            // An estimate far above the truth would let too few decodes run at once.
            assert!(estimate <= 2 * measured + 16 * MB, "too high: {what}");
        }
    }
}
