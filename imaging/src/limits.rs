//! How big an image we agree to decode. Decoders allocate width × height × channels up front, so
//! a tiny file that declares a huge canvas (a "decompression bomb") could take gigabytes of
//! memory. The decoders read only the header first; its dimensions are checked here before any
//! pixel buffer exists.

use crate::error::ImagingError;

/// Bytes per pixel of the widest buffer a decoder may allocate: 16-bit RGBA.
const WIDEST_PIXEL_BYTES: u64 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Width × height at most this. The default, 100 megapixels, is beyond any phone or
    /// consumer camera and about 300 MB as 8-bit RGB.
    pub max_pixels: u64,
    /// Neither side longer than this, which keeps extreme panoramas and strips out too.
    pub max_dimension: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pixels: 100_000_000,
            max_dimension: 30_000,
        }
    }
}

impl Limits {
    /// Checks the dimensions a header declares.
    pub fn check(&self, width: u32, height: u32) -> Result<(), ImagingError> {
        if width == 0 || height == 0 {
            return Err(ImagingError::Corrupt(format!(
                "the header declares a {width}×{height} image"
            )));
        }
        if u64::from(width) * u64::from(height) > self.max_pixels {
            return Err(ImagingError::TooManyPixels {
                width,
                height,
                max_pixels: self.max_pixels,
            });
        }
        if width > self.max_dimension || height > self.max_dimension {
            return Err(ImagingError::TooLarge {
                width,
                height,
                max_dimension: self.max_dimension,
            });
        }
        Ok(())
    }

    /// A memory cap for `image`'s decoders, as a second guard for anything a decoder allocates
    /// beyond what the header told us (and for decoders that grow buffers lazily). Dimensions
    /// are left to `check`, which runs right after the header and gives the precise error.
    pub(crate) fn for_image_crate(&self) -> image::Limits {
        let mut limits = image::Limits::default();
        // The decoded picture plus the same again for a decoder's working buffers.
        limits.max_alloc = Some(
            self.max_pixels
                .saturating_mul(WIDEST_PIXEL_BYTES)
                .saturating_mul(2),
        );
        limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_too_many_pixels_before_too_long_sides() {
        let limits = Limits::default();
        assert!(limits.check(4000, 3000).is_ok());
        assert!(limits.check(10_000, 10_000).is_ok());
        assert!(matches!(
            limits.check(50_000, 50_000),
            Err(ImagingError::TooManyPixels {
                width: 50_000,
                height: 50_000,
                max_pixels: 100_000_000
            })
        ));
        assert!(matches!(
            limits.check(30_001, 100),
            Err(ImagingError::TooLarge {
                width: 30_001,
                height: 100,
                max_dimension: 30_000
            })
        ));
        assert!(matches!(limits.check(0, 10), Err(ImagingError::Corrupt(_))));
        // u32::MAX × u32::MAX must not overflow the product.
        assert!(matches!(
            limits.check(u32::MAX, u32::MAX),
            Err(ImagingError::TooManyPixels { .. })
        ));
    }
}
