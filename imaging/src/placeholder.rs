//! The ThumbHash placeholder the grid paints before a thumbnail arrives: about 25 bytes that
//! decode to a blurred version of the photo with its aspect ratio.

use crate::raster::Rgb;
use base64::Engine as _;

/// ThumbHash encodes at most 100×100 pixels.
pub const MAX_SIDE: u32 = 100;

/// The ThumbHash of an image no larger than `MAX_SIDE` on either side, standard base64.
/// Returns `None` for a larger image rather than letting the `thumbhash` crate panic.
pub(crate) fn thumbhash(image: &Rgb) -> Option<String> {
    if image.width > MAX_SIDE || image.height > MAX_SIDE || image.width == 0 || image.height == 0 {
        return None;
    }
    let rgba: Vec<u8> = image
        .data
        .chunks_exact(3)
        .flat_map(|px| [px[0], px[1], px[2], 255])
        .collect();
    if rgba.len() != image.width as usize * image.height as usize * 4 {
        return None;
    }
    let hash = thumbhash::rgba_to_thumb_hash(image.width as usize, image.height as usize, &rgba);
    Some(base64::engine::general_purpose::STANDARD.encode(hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_decode_back_to_the_average_colour_and_aspect() {
        let image = Rgb {
            width: 100,
            height: 50,
            data: [200u8, 40, 40].repeat(100 * 50),
        };
        let hash = thumbhash(&image).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&hash)
            .unwrap();
        let (r, g, b, a) = thumbhash::thumb_hash_to_average_rgba(&bytes).unwrap();
        assert!(
            (r - 200.0 / 255.0).abs() < 0.05
                && (g - 40.0 / 255.0).abs() < 0.05
                && (b - 40.0 / 255.0).abs() < 0.05
        );
        assert!((a - 1.0).abs() < 0.01);
        let aspect = thumbhash::thumb_hash_to_approximate_aspect_ratio(&bytes).unwrap();
        // ThumbHash keeps the aspect ratio only roughly (as a ratio of its DCT sizes).
        assert!((aspect - 2.0).abs() / 2.0 < 0.2, "aspect {aspect}");
    }

    #[test]
    fn refuses_sizes_thumbhash_cannot_take() {
        assert_eq!(
            thumbhash(&Rgb {
                width: 101,
                height: 1,
                data: vec![0; 303]
            }),
            None
        );
        assert_eq!(
            thumbhash(&Rgb {
                width: 2,
                height: 2,
                data: vec![0; 3]
            }),
            None
        );
    }
}
