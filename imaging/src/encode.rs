//! Encoding derived images: baseline JPEG through libjpeg-turbo, which every browser shows and
//! which encodes a 2048 px preview in a few milliseconds.

use crate::error::ImagingError;
use crate::jpeg_markers;
use crate::raster::Raster;
use crate::turbo;

/// Quality of derived images: past ~82 the files grow fast with little visible gain at
/// thumbnail and screen sizes.
pub const JPEG_QUALITY: u8 = 82;

/// An encoded derived image, ready to store and serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedImage {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

pub(crate) fn jpeg(
    image: &Raster,
    icc_profile: Option<&[u8]>,
) -> Result<EncodedImage, ImagingError> {
    let (width, height) = image.size();
    let bytes = match image {
        Raster::Rgb(rgb) => turbo::compress_rgb(&rgb.data, rgb.width, rgb.height, JPEG_QUALITY),
        Raster::Planes(planes) => turbo::compress_planes(planes, JPEG_QUALITY),
    }
    .map_err(|e| ImagingError::Corrupt(format!("encoding failed: {}", e.message)))?;
    let bytes = match icc_profile {
        Some(profile) => jpeg_markers::insert_icc_profile(bytes, profile),
        None => bytes,
    };
    Ok(EncodedImage {
        bytes,
        content_type: crate::DERIVED_CONTENT_TYPE,
        width,
        height,
    })
}
