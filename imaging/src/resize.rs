//! The sizes of the derived images, and getting there fast: a SIMD convolution resizer
//! (`fast_image_resize`, Lanczos3 like libvips' thumbnailer), each image resized from the
//! smallest already-made image that is still large enough.

use crate::error::ImagingError;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};

/// Size of a thumbnail `target_height` high: width by aspect ratio, but no wider than four
/// times the target height (a panorama then gets a lower height, keeping its aspect ratio),
/// and never larger than the source.
pub(crate) fn thumbnail_size(width: u32, height: u32, target_height: u32) -> (u32, u32) {
    let scale = (f64::from(target_height) / f64::from(height))
        .min(f64::from(target_height) * 4.0 / f64::from(width))
        .min(1.0);
    scaled(width, height, scale)
}

/// Size with the long side at most `long_side`, never larger than the source.
pub(crate) fn fit_long_side(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let scale = (f64::from(long_side) / f64::from(width.max(height))).min(1.0);
    scaled(width, height, scale)
}

fn scaled(width: u32, height: u32, scale: f64) -> (u32, u32) {
    let side = |v: u32| ((f64::from(v) * scale).round() as u32).clamp(1, v.max(1));
    (side(width), side(height))
}

/// Whether the orientation swaps width and height.
pub(crate) fn transposes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// A size as displayed, converted to the stored orientation (or back: the swap is its own inverse).
pub(crate) fn oriented(size: (u32, u32), orientation: Orientation) -> (u32, u32) {
    if transposes(orientation) {
        (size.1, size.0)
    } else {
        size
    }
}

/// Resizes `channels`-per-pixel 8-bit samples (1 for a Y, Cb or Cr plane, 3 for RGB).
pub(crate) fn resize_samples(
    resizer: &mut Resizer,
    src: &[u8],
    (src_width, src_height): (u32, u32),
    (width, height): (u32, u32),
    channels: u8,
) -> Result<Vec<u8>, ImagingError> {
    if (src_width, src_height) == (width, height) {
        return Ok(src.to_vec());
    }
    let pixel_type = pixel_type(channels)?;
    let fail = |e: &dyn std::fmt::Display| ImagingError::Corrupt(format!("resizing failed: {e}"));
    let src_view = ImageRef::new(src_width, src_height, src, pixel_type).map_err(|e| fail(&e))?;
    let mut dst = Image::new(width, height, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    resizer
        .resize(&src_view, &mut dst, &options)
        .map_err(|e| fail(&e))?;
    Ok(dst.into_vec())
}

fn pixel_type(channels: u8) -> Result<PixelType, ImagingError> {
    match channels {
        1 => Ok(PixelType::U8),
        3 => Ok(PixelType::U8x3),
        _ => Err(ImagingError::Corrupt(format!(
            "internal: {channels} channels"
        ))),
    }
}

/// Turns stored-orientation samples into displayed ones: returns the new width, height and
/// samples. Done on the small outputs, after resizing, where it costs next to nothing.
pub(crate) fn orient_samples(
    data: Vec<u8>,
    (width, height): (u32, u32),
    channels: u8,
    orientation: Orientation,
) -> Result<(u32, u32, Vec<u8>), ImagingError> {
    if orientation == Orientation::NoTransforms {
        return Ok((width, height, data));
    }
    let wrong_size = || ImagingError::Corrupt("internal: pixel buffer has the wrong size".into());
    let mut image = match channels {
        1 => DynamicImage::ImageLuma8(
            GrayImage::from_raw(width, height, data).ok_or_else(wrong_size)?,
        ),
        3 => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(width, height, data).ok_or_else(wrong_size)?)
        }
        _ => return Err(wrong_size()),
    };
    image.apply_orientation(orientation);
    let (width, height) = (image.width(), image.height());
    let data = match image {
        DynamicImage::ImageLuma8(buffer) => buffer.into_raw(),
        other => other.into_rgb8().into_raw(),
    };
    Ok((width, height, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbnails_keep_aspect_and_cap_panoramas() {
        assert_eq!(thumbnail_size(4000, 3000, 360), (480, 360));
        assert_eq!(thumbnail_size(3000, 4000, 720), (540, 720));
        // 10:1 panorama: capped at 4 × 360 wide, height reduced to keep the aspect ratio.
        assert_eq!(thumbnail_size(20_000, 2000, 360), (1440, 144));
        // Never upscaled.
        assert_eq!(thumbnail_size(300, 200, 360), (300, 200));
        assert_eq!(thumbnail_size(2000, 100, 360), (1440, 72));
        // Extreme strips still get at least one pixel.
        assert_eq!(thumbnail_size(30_000, 1, 360), (1440, 1));
        assert_eq!(thumbnail_size(1, 30_000, 360), (1, 360));
    }

    #[test]
    fn previews_fit_the_long_side_without_upscaling() {
        assert_eq!(fit_long_side(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit_long_side(3000, 4000, 2048), (1536, 2048));
        assert_eq!(fit_long_side(1200, 800, 2048), (1200, 800));
    }

    #[test]
    fn orientation_rotates_pixels_and_swaps_sizes() {
        // 2×1: red, green. Rotated 90° clockwise it is 1×2: red on top.
        let rgb = vec![255, 0, 0, 0, 255, 0];
        let (w, h, rotated) = orient_samples(rgb, (2, 1), 3, Orientation::Rotate90).unwrap();
        assert_eq!((w, h, rotated), (1, 2, vec![255, 0, 0, 0, 255, 0]));
        // A 3×1 plane flipped horizontally.
        let (w, h, flipped) =
            orient_samples(vec![1, 2, 3], (3, 1), 1, Orientation::FlipHorizontal).unwrap();
        assert_eq!((w, h, flipped), (3, 1, vec![3, 2, 1]));
        assert_eq!(oriented((4000, 3000), Orientation::Rotate90), (3000, 4000));
        assert_eq!(
            oriented((4000, 3000), Orientation::FlipVertical),
            (4000, 3000)
        );
    }

    #[test]
    fn resizes_to_the_requested_size() {
        let mut resizer = Resizer::new();
        for channels in [1u8, 3] {
            let src = vec![200; 64 * 48 * channels as usize];
            let small = resize_samples(&mut resizer, &src, (64, 48), (16, 12), channels).unwrap();
            assert_eq!(small.len(), 16 * 12 * channels as usize);
            assert!(small.iter().all(|&v| v == 200), "a flat colour stays flat");
        }
    }
}
