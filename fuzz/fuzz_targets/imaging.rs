//! Any bytes through everything the server does to an upload: sniffing, the header checks and
//! memory estimate, the decode, the derived images, and the classifier's centre crop.
//!
//! Property: nothing panics (errors are fine), and a file `process` accepts has a memory
//! estimate. libFuzzer's panic hook aborts on every panic, also on one that `process` would
//! catch and report as `Corrupt`: a decoder that panics is a finding.

#![no_main]

use gaillery_imaging::{decode_center_crop, peak_memory, process, sniff, DecodePurpose, Limits};
use libfuzzer_sys::fuzz_target;

/// Small enough that a header declaring the largest canvas allowed is still a quick decode, so
/// a fuzzed header cannot make the fuzzer allocate gigabytes legitimately.
const LIMITS: Limits = Limits {
    max_pixels: 4_000_000,
    max_dimension: 4096,
};

fuzz_target!(|data: &[u8]| {
    let format = sniff(data);
    let derived = peak_memory(data, &LIMITS, DecodePurpose::DerivedImages);
    let model = peak_memory(
        data,
        &LIMITS,
        DecodePurpose::ModelInput {
            resize_shorter: 256,
        },
    );
    if format.is_none() {
        assert!(
            derived.is_err() && model.is_err(),
            "an unknown format has no estimate"
        );
    }
    if let Ok(processed) = process(data, &LIMITS) {
        assert_eq!(Some(processed.format), format);
        assert!(
            derived.is_ok(),
            "processed, but the estimate failed: {derived:?}"
        );
        assert!(processed.width > 0 && processed.height > 0);
    }
    if let Ok(crop) = decode_center_crop(data, &LIMITS, 256, 224) {
        assert!(model.is_ok(), "cropped, but the estimate failed: {model:?}");
        assert_eq!((crop.width, crop.height), (224, 224));
        assert_eq!(crop.data.len(), 224 * 224 * 3);
    }
});
