//! How much memory decoding an image will take, read from its header alone, so that a server
//! can hold a memory budget for the decode before any pixel buffer exists. The figures are
//! upper bounds of what our own code allocates (decoder buffers, conversions, derived images);
//! allocator overhead and the decoders' small working tables are not counted.

use crate::decode;
use crate::error::ImagingError;
use crate::format::sniff;
use crate::limits::Limits;
use crate::model_input;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What the image is decoded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodePurpose {
    /// [`crate::process`]: thumbnails, preview and placeholder.
    DerivedImages,
    /// [`crate::decode_center_crop`] with this `resize_shorter`.
    ModelInput { resize_shorter: u32 },
}

/// The most memory decoding `data` for `purpose` holds at once, in bytes, the file's own
/// bytes included. Fails as the decode would on an unknown format, a corrupt header or an
/// image over the limits, without decoding a pixel. Never panics on any input.
pub fn peak_memory(
    data: &[u8],
    limits: &Limits,
    purpose: DecodePurpose,
) -> Result<u64, ImagingError> {
    let format = sniff(data).ok_or(ImagingError::Unsupported)?;
    let decoding = catch_unwind(AssertUnwindSafe(|| {
        let opened = decode::open(data, format, limits)?;
        Ok(match purpose {
            DecodePurpose::DerivedImages => crate::derived_peak_bytes(&opened),
            DecodePurpose::ModelInput { resize_shorter } => {
                model_input::peak_bytes(&opened, resize_shorter)
            }
        })
    }))
    .unwrap_or_else(|_| {
        Err(ImagingError::Corrupt(format!(
            "the {} decoder could not read this file",
            format.display_name()
        )))
    })?;
    Ok(decoding + data.len() as u64)
}
