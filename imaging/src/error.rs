//! The one error type of the crate. Its messages are shown to the person who uploaded the file,
//! so each one says what was wrong and, where there is one, what the limit is.

use crate::format::SourceFormat;

#[derive(Debug, thiserror::Error)]
pub enum ImagingError {
    /// The bytes are not an image in any format we decode (judged by magic bytes only).
    #[error(
        "not a supported image; accepted formats are {}",
        SourceFormat::accepted_list()
    )]
    Unsupported,

    /// Width × height is over `Limits::max_pixels`: a likely decompression bomb, refused before
    /// any pixel memory is allocated.
    #[error(
        "image is {width}×{height} ({} megapixels); the limit is {} megapixels",
        megapixels(*width, *height),
        max_pixels / 1_000_000
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_pixels: u64,
    },

    /// One side is over `Limits::max_dimension`.
    #[error("image is {width}×{height}; no side may be longer than {max_dimension} pixels")]
    TooLarge {
        width: u32,
        height: u32,
        max_dimension: u32,
    },

    /// The file claims to be an image we decode but is malformed or truncated.
    #[error("the image file is damaged or incomplete: {0}")]
    Corrupt(String),
}

fn megapixels(width: u32, height: u32) -> u64 {
    (u64::from(width) * u64::from(height) + 500_000) / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_is_wrong_and_what_the_limit_is() {
        let bomb = ImagingError::TooManyPixels {
            width: 40_000,
            height: 30_000,
            max_pixels: 100_000_000,
        };
        assert_eq!(
            bomb.to_string(),
            "image is 40000×30000 (1200 megapixels); the limit is 100 megapixels"
        );
        let wide = ImagingError::TooLarge {
            width: 40_000,
            height: 10,
            max_dimension: 30_000,
        };
        assert_eq!(
            wide.to_string(),
            "image is 40000×10; no side may be longer than 30000 pixels"
        );
        let unsupported = ImagingError::Unsupported.to_string();
        for name in ["JPEG", "PNG", "WebP", "GIF", "BMP", "TIFF"] {
            assert!(
                unsupported.contains(name),
                "{unsupported:?} should name {name}"
            );
        }
    }
}
