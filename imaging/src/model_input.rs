//! Pixels for an image classifier: RGB, as displayed (EXIF orientation applied), with the
//! resize-and-centre-crop that ImageNet models are evaluated with. Normalisation is the
//! model's business.

use crate::decode;
use crate::error::ImagingError;
use crate::format::sniff;
use crate::limits::Limits;
use crate::raster::{Raster, Rgb};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Packed 8-bit RGB, row after row, as displayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// What torchvision's `Resize(resize_shorter)` then `CenterCrop(crop)` make of an image, as
/// displayed: a `crop`×`crop` RGB square. It is computed in one resampling step, from the crop
/// box in source pixels (bilinear, antialiased when shrinking, as Pillow does), so a panorama
/// is never enlarged whole. Grey, CMYK, 16-bit and alpha images come out as 8-bit RGB (alpha
/// flattened onto white). Never panics on any input.
pub fn decode_center_crop(
    data: &[u8],
    limits: &Limits,
    resize_shorter: u32,
    crop: u32,
) -> Result<RgbImage, ImagingError> {
    let format = sniff(data).ok_or(ImagingError::Unsupported)?;
    catch_unwind(AssertUnwindSafe(|| {
        let opened = decode::open(data, format, limits)?;
        let orientation = opened.metadata.orientation;
        let (min_width, min_height) = smallest_decode(&opened, resize_shorter);
        let decoded = opened.decode(min_width, min_height)?;
        let rgb = into_rgb(Raster::Rgb(into_rgb(decoded)?).orient(orientation)?)?;
        center_crop(&rgb, resize_shorter, crop)
    }))
    .unwrap_or_else(|_| {
        Err(ImagingError::Corrupt(format!(
            "the {} decoder could not read this file",
            format.display_name()
        )))
    })
}

/// JPEGs decode at the smallest DCT scale whose shorter side is still at least
/// `resize_shorter`, so the resampling only ever shrinks them.
fn smallest_decode(opened: &decode::Opened, resize_shorter: u32) -> (u32, u32) {
    let shorter = opened.width.min(opened.height).max(1);
    let factor = f64::from(resize_shorter) / f64::from(shorter);
    let at_least = |v: u32| ((f64::from(v) * factor).ceil() as u32).min(v);
    (at_least(opened.width), at_least(opened.height))
}

/// The most memory [`decode_center_crop`] holds at once, past the file's bytes: the decode,
/// then its RGB copy (for planes) and its upright copy, side by side.
pub(crate) fn peak_bytes(opened: &decode::Opened, resize_shorter: u32) -> u64 {
    let (min_width, min_height) = smallest_decode(opened, resize_shorter);
    let (width, height) = opened.decoded_size(min_width, min_height);
    let rgb_copy = u64::from(width) * u64::from(height) * 3;
    opened.decode_peak_bytes(min_width, min_height) + 2 * rgb_copy
}

/// The square `crop` box, centred, of the image scaled to `resize_shorter`, resampled from
/// the source directly.
fn center_crop(rgb: &Rgb, resize_shorter: u32, crop: u32) -> Result<RgbImage, ImagingError> {
    let (width, height) = (f64::from(rgb.width), f64::from(rgb.height));
    let scale = f64::from(resize_shorter) / width.min(height);
    // torchvision rounds the resized size, then the crop offset, in resized pixels.
    let resized = ((width * scale).round(), (height * scale).round());
    let left = ((resized.0 - f64::from(crop)) / 2.0).round();
    let top = ((resized.1 - f64::from(crop)) / 2.0).round();
    let (scale_x, scale_y) = (resized.0 / width, resized.1 / height);
    let fail = |e: &dyn std::fmt::Display| ImagingError::Corrupt(format!("resizing failed: {e}"));
    let source =
        ImageRef::new(rgb.width, rgb.height, &rgb.data, PixelType::U8x3).map_err(|e| fail(&e))?;
    let mut out = Image::new(crop, crop, PixelType::U8x3);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
        .crop(
            left / scale_x,
            top / scale_y,
            f64::from(crop) / scale_x,
            f64::from(crop) / scale_y,
        );
    Resizer::new()
        .resize(&source, &mut out, &options)
        .map_err(|e| fail(&e))?;
    Ok(RgbImage {
        width: crop,
        height: crop,
        data: out.into_vec(),
    })
}

fn into_rgb(raster: Raster) -> Result<Rgb, ImagingError> {
    match raster {
        Raster::Rgb(rgb) => Ok(rgb),
        planes => planes.to_rgb(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_shape_becomes_the_crop_square_without_new_colours() {
        for (width, height) in [(4000, 3000), (3000, 4000), (100, 50), (10_000, 1), (7, 7)] {
            let rgb = Rgb {
                width,
                height,
                data: vec![128; (width * height * 3) as usize],
            };
            let out = center_crop(&rgb, 256, 224).unwrap();
            assert_eq!((out.width, out.height), (224, 224));
            assert!(out.data.iter().all(|&v| v == 128), "{width}x{height}");
        }
    }
}
