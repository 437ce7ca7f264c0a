//! Everything the server does to an uploaded image's bytes: recognise the format, refuse
//! decompression bombs, decode (with EXIF orientation, CMYK, 16-bit, alpha), make the derived
//! images (two thumbnails and a preview), a ThumbHash placeholder, and read when the photo was
//! taken.
//!
//! All of it is synchronous and CPU-bound: call it from `spawn_blocking`. One call uses one core.

mod decode;
mod encode;
mod error;
mod format;
mod jpeg_markers;
mod limits;
mod memory;
mod metadata;
mod model_input;
mod placeholder;
mod raster;
mod resize;
mod turbo;

pub use encode::{EncodedImage, JPEG_QUALITY};
pub use error::ImagingError;
pub use format::{sniff, SourceFormat};
pub use limits::Limits;
pub use memory::{peak_memory, DecodePurpose};
pub use model_input::{decode_center_crop, RgbImage};

use fast_image_resize::Resizer;
use raster::Raster;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Height of the grid thumbnail for 1x screens.
pub const THUMBNAIL_HEIGHT: u32 = 360;
/// Height of the grid thumbnail for 2x screens.
pub const THUMBNAIL_2X_HEIGHT: u32 = 720;
/// Longest side of the lightbox preview.
pub const PREVIEW_LONG_SIDE: u32 = 2048;
/// Media type of every derived image (thumbnails, preview): JPEG, which every browser shows.
pub const DERIVED_CONTENT_TYPE: &str = "image/jpeg";

/// What an upload becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessedImage {
    pub format: SourceFormat,
    /// Width as displayed, after EXIF orientation.
    pub width: u32,
    /// Height as displayed, after EXIF orientation.
    pub height: u32,
    /// EXIF DateTimeOriginal as `YYYY-MM-DDTHH:MM:SS` (the camera's local time).
    pub taken_at: Option<String>,
    /// ThumbHash, standard base64.
    pub placeholder: String,
    pub thumbnail: EncodedImage,
    pub thumbnail_2x: EncodedImage,
    pub preview: EncodedImage,
}

/// Processes an upload. Never panics on any input: a decoder panic is caught and reported as
/// `Corrupt` (decoders have had such bugs, and one bad file must not take a worker down).
pub fn process(data: &[u8], limits: &Limits) -> Result<ProcessedImage, ImagingError> {
    let format = sniff(data).ok_or(ImagingError::Unsupported)?;
    catch_unwind(AssertUnwindSafe(|| process_format(data, format, limits))).unwrap_or_else(|_| {
        Err(ImagingError::Corrupt(format!(
            "the {} decoder could not read this file",
            format.display_name()
        )))
    })
}

/// Which derived image a size belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Preview,
    Thumbnail2x,
    Thumbnail,
    Placeholder,
}

fn process_format(
    data: &[u8],
    format: SourceFormat,
    limits: &Limits,
) -> Result<ProcessedImage, ImagingError> {
    let opened = decode::open(data, format, limits)?;
    let orientation = opened.metadata.orientation;
    let (width, height) = resize::oriented((opened.width, opened.height), orientation);
    let targets = derived_sizes(&opened);
    let (min_width, min_height) = smallest_decode(&targets);

    let metadata = opened.metadata.clone();
    let icc_profile = opened.icc_profile.clone();
    let decoded = opened.decode(min_width, min_height)?;

    let mut resizer = Resizer::new();
    let mut made: Vec<(Output, Raster)> = Vec::with_capacity(targets.len());
    for (output, (w, h)) in targets {
        // The smallest image so far that is at least as large in both directions (they were
        // made largest first).
        let source = made
            .iter()
            .rev()
            .map(|(_, image)| image)
            .find(|image| image.size().0 >= w && image.size().1 >= h)
            .unwrap_or(&decoded);
        let image = source.resize(&mut resizer, w, h)?;
        made.push((output, image));
    }
    drop(decoded);

    let mut take = |wanted: Output| -> Result<Raster, ImagingError> {
        let index = made
            .iter()
            .position(|(output, _)| *output == wanted)
            .ok_or_else(|| ImagingError::Corrupt("internal: missing output".into()))?;
        made.swap_remove(index).1.orient(orientation)
    };
    let icc = icc_profile.as_deref();
    let preview = encode::jpeg(&take(Output::Preview)?, icc)?;
    let thumbnail_2x = encode::jpeg(&take(Output::Thumbnail2x)?, icc)?;
    let thumbnail = encode::jpeg(&take(Output::Thumbnail)?, icc)?;
    let placeholder = placeholder::thumbhash(&take(Output::Placeholder)?.to_rgb()?)
        .ok_or_else(|| ImagingError::Corrupt("internal: placeholder size".into()))?;

    Ok(ProcessedImage {
        format,
        width,
        height,
        taken_at: metadata.taken_at,
        placeholder,
        thumbnail,
        thumbnail_2x,
        preview,
    })
}

/// Each derived image's size in the stored orientation (in which we resize), largest first,
/// so each can be made from the one before (a panorama's 2x thumbnail is wider than its
/// preview).
fn derived_sizes(opened: &decode::Opened) -> [(Output, (u32, u32)); 4] {
    let orientation = opened.metadata.orientation;
    let (width, height) = resize::oriented((opened.width, opened.height), orientation);
    let mut targets = [
        (
            Output::Preview,
            resize::fit_long_side(width, height, PREVIEW_LONG_SIDE),
        ),
        (
            Output::Thumbnail2x,
            resize::thumbnail_size(width, height, THUMBNAIL_2X_HEIGHT),
        ),
        (
            Output::Thumbnail,
            resize::thumbnail_size(width, height, THUMBNAIL_HEIGHT),
        ),
        (
            Output::Placeholder,
            resize::fit_long_side(width, height, placeholder::MAX_SIDE),
        ),
    ]
    .map(|(output, size)| (output, resize::oriented(size, orientation)));
    targets.sort_by_key(|(_, (w, h))| std::cmp::Reverse(u64::from(*w) * u64::from(*h)));
    targets
}

/// The smallest decode every derived image can be made from.
fn smallest_decode(targets: &[(Output, (u32, u32))]) -> (u32, u32) {
    let min_width = targets.iter().map(|(_, (w, _))| *w).max().unwrap_or(1);
    let min_height = targets.iter().map(|(_, (_, h))| *h).max().unwrap_or(1);
    (min_width, min_height)
}

/// The most memory [`process`] holds at once, past the file's bytes: the decode, and beside it
/// the first resize's intermediate rows (resized across, not yet down) and every derived
/// image, each turned upright in a copy before it is encoded.
fn derived_peak_bytes(opened: &decode::Opened) -> u64 {
    let targets = derived_sizes(opened);
    let (min_width, min_height) = smallest_decode(&targets);
    let (_, decoded_height) = opened.decoded_size(min_width, min_height);
    let derived: u64 = targets
        .iter()
        .map(|(_, (w, h))| u64::from(*w) * u64::from(*h) * 3)
        .sum();
    let intermediate = u64::from(min_width) * u64::from(decoded_height) * 3;
    opened.decode_peak_bytes(min_width, min_height) + intermediate + 2 * derived
}
