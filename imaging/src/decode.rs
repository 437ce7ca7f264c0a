//! Decoding. JPEGs are decoded by libjpeg-turbo into their Y, Cb, Cr planes (CMYK JPEGs and
//! the few chroma layouts TurboJPEG cannot name into RGB); every other source (16-bit, grey,
//! with alpha, palette) ends up as packed 8-bit RGB, because every derived image is a JPEG.
//!
//! Alpha is flattened onto white: derived images are JPEGs (libjpeg-turbo encodes them several
//! times faster than any WebP encoder, and `image` only writes lossless WebP, which is far too
//! big for photos), transparency in uploaded photos is rare, and white is what a transparent
//! logo or screenshot looks like on the gallery's light background. The original keeps its alpha.

use crate::error::ImagingError;
use crate::format::SourceFormat;
use crate::jpeg_markers::{self, JpegSegments};
use crate::limits::Limits;
use crate::metadata::{self, PhotoMetadata};
use crate::raster::{Raster, Rgb};
use crate::turbo;
use image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// ICC profiles larger than this are not copied into derived images: a 20 KB thumbnail should
/// not carry a 500 KB profile. Typical RGB profiles (sRGB, Display P3, Adobe RGB) are 0.5–3 KB.
const MAX_EMBEDDED_PROFILE: usize = 64 * 1024;

/// An image whose header has been read and checked against the limits, not yet decoded.
pub(crate) struct Opened<'a> {
    /// Stored size, before EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub metadata: PhotoMetadata,
    /// An RGB ICC profile to carry into the derived images, so they show the same colours.
    pub icc_profile: Option<Vec<u8>>,
    source: Source<'a>,
    limits: Limits,
}

enum Source<'a> {
    Jpeg {
        data: &'a [u8],
        header: turbo::Header,
        adobe: bool,
        scan_start: usize,
        /// What libjpeg holds besides the output: all the coefficients of a progressive JPEG.
        coefficient_bytes: u64,
    },
    Other(Box<dyn ImageDecoder + 'a>),
}

/// Reads only the header (and metadata) and refuses images over the limits, so a bomb never
/// gets a pixel buffer.
pub(crate) fn open<'a>(
    data: &'a [u8],
    format: SourceFormat,
    limits: &Limits,
) -> Result<Opened<'a>, ImagingError> {
    if format != SourceFormat::Jpeg {
        return open_with_image_crate(data, format, limits);
    }
    let JpegSegments {
        exif,
        icc_profile,
        adobe,
        frame,
        scan_start,
    } = jpeg_markers::scan(data);
    // No scan means no pixels at all: a header fragment.
    let scan_start = scan_start
        .ok_or_else(|| ImagingError::Corrupt("the JPEG file has no image data".into()))?;
    let header = match (turbo::read_header(data), frame) {
        (Ok(header), _) => header,
        // TurboJPEG 2.1's header call refuses chroma layouts it has no name for (4:4:1, 4:2:1,
        // 4:1:0), which are valid JPEG and which libjpeg decodes; the frame header has what we
        // need. (zune-jpeg, `image`'s decoder, decodes those with wrong colours.)
        (Err(_), Some(frame)) => turbo::Header {
            width: frame.width,
            height: frame.height,
            cmyk: frame.components == 4,
            strict: true,
            subsamp: None,
        },
        (Err(e), None) => return Err(ImagingError::Corrupt(e.message)),
    };
    limits.check(header.width, header.height)?;
    let coefficient_bytes = frame.filter(|f| f.progressive).map_or(0, |f| {
        // 16-bit coefficients of every component, at most at full resolution, in whole
        // blocks of the largest (16-pixel) sampling unit.
        let padded = |side: u32| u64::from(side.div_ceil(16) * 16);
        padded(f.width) * padded(f.height) * u64::from(f.components) * 2
    });
    Ok(Opened {
        width: header.width,
        height: header.height,
        metadata: exif.map(metadata::from_tiff).unwrap_or_default(),
        icc_profile: icc_profile.filter(|p| is_rgb_profile(p)),
        source: Source::Jpeg {
            data,
            header,
            adobe,
            scan_start,
            coefficient_bytes,
        },
        limits: *limits,
    })
}

fn open_with_image_crate<'a>(
    data: &'a [u8],
    format: SourceFormat,
    limits: &Limits,
) -> Result<Opened<'a>, ImagingError> {
    let mut reader = ImageReader::with_format(Cursor::new(data), format.image_format());
    // The memory cap also bounds what the header parse inflates (e.g. a PNG's iCCP chunk).
    reader.limits(limits.for_image_crate());
    let mut decoder = reader.into_decoder().map_err(|e| image_error(e, limits))?;
    let (width, height) = decoder.dimensions();
    limits.check(width, height)?;
    let icc_profile = decoder
        .icc_profile()
        .ok()
        .flatten()
        .filter(|p| is_rgb_profile(p));
    let metadata = match format {
        SourceFormat::Png | SourceFormat::Webp | SourceFormat::Tiff => {
            metadata::from_container(data)
        }
        _ => PhotoMetadata::default(),
    };
    Ok(Opened {
        width,
        height,
        metadata,
        icc_profile,
        source: Source::Other(Box::new(decoder)),
        limits: *limits,
    })
}

/// Only RGB profiles describe our RGB output; a CMYK or grey profile would be misapplied.
fn is_rgb_profile(profile: &[u8]) -> bool {
    profile.len() <= MAX_EMBEDDED_PROFILE && profile.get(16..20) == Some(b"RGB ")
}

impl Opened<'_> {
    /// Decodes to at least `min_width`×`min_height` (in stored orientation). JPEGs are
    /// decoded at the smallest 1/8, 1/4, 1/2 or full scale that is still large enough; the
    /// other formats always decode at full size.
    pub fn decode(self, min_width: u32, min_height: u32) -> Result<Raster, ImagingError> {
        match self.source {
            Source::Jpeg {
                data,
                header,
                adobe,
                scan_start,
                ..
            } => decode_jpeg(data, &header, adobe, scan_start, min_width, min_height),
            Source::Other(decoder) => {
                let image = DynamicImage::from_decoder(decoder)
                    .map_err(|e| image_error(e, &self.limits))?;
                Ok(Raster::Rgb(to_rgb(image)))
            }
        }
    }
}

impl Opened<'_> {
    /// The most memory [`Opened::decode`] holds at once for this size request, in bytes: the
    /// decoder's buffer and the conversion to 8-bit RGB that follows it. Read from the header
    /// alone, so a budget can be taken before any pixel buffer exists.
    pub fn decode_peak_bytes(&self, min_width: u32, min_height: u32) -> u64 {
        let (width, height) = self.decoded_size(min_width, min_height);
        let area = u64::from(width) * u64::from(height);
        match &self.source {
            // CMYK is decoded to 4 bytes a pixel and then converted to 3; the planes of every
            // other JPEG hold at most 3 (4:4:4).
            Source::Jpeg {
                header,
                coefficient_bytes,
                ..
            } => area * if header.cmyk { 4 + 3 } else { 3 } + coefficient_bytes,
            Source::Other(decoder) => area * converted_pixel_bytes(decoder.color_type()),
        }
    }

    /// The size [`Opened::decode`] gives for this size request.
    pub fn decoded_size(&self, min_width: u32, min_height: u32) -> (u32, u32) {
        match &self.source {
            Source::Jpeg { header, .. } => {
                let eighths = jpeg_scale(header.width, header.height, min_width, min_height);
                (
                    turbo::scaled(header.width, eighths),
                    turbo::scaled(header.height, eighths),
                )
            }
            Source::Other(_) => (self.width, self.height),
        }
    }
}

/// Bytes per pixel at the peak of decoding to `color` and converting it as [`to_rgb`] does:
/// each conversion holds its source and its result at once.
fn converted_pixel_bytes(color: image::ColorType) -> u64 {
    let native = u64::from(color.bytes_per_pixel());
    match color {
        image::ColorType::Rgb8 => native,
        image::ColorType::Rgba8 => native + 3,
        // To RGBA8, then flattened onto white into RGB8.
        color if color.has_alpha() => (native + 4).max(4 + 3),
        _ => native + 3,
    }
}

/// libjpeg-turbo has SIMD code for these IDCT sizes; other eighths fall back to scalar code
/// and are not faster than a full decode followed by a resize.
const JPEG_SCALES: [u32; 4] = [1, 2, 4, 8];

pub(crate) fn jpeg_scale(width: u32, height: u32, min_width: u32, min_height: u32) -> u32 {
    JPEG_SCALES
        .into_iter()
        .find(|&e| turbo::scaled(width, e) >= min_width && turbo::scaled(height, e) >= min_height)
        .unwrap_or(8)
}

fn decode_jpeg(
    data: &[u8],
    header: &turbo::Header,
    adobe: bool,
    scan_start: usize,
    min_width: u32,
    min_height: u32,
) -> Result<Raster, ImagingError> {
    let eighths = jpeg_scale(header.width, header.height, min_width, min_height);
    let corrupt = |e: turbo::TjError| ImagingError::Corrupt(e.message);
    let (raster, warning) = if !header.cmyk && header.subsamp.is_some() {
        let (planes, warning) = turbo::decompress_planes(data, header, eighths).map_err(corrupt)?;
        (Raster::Planes(planes), warning)
    } else {
        let pixels = if header.cmyk {
            turbo::Pixels::Cmyk
        } else {
            turbo::Pixels::Rgb
        };
        let decoded = turbo::decompress(data, header, eighths, pixels).map_err(corrupt)?;
        let rgb = if header.cmyk {
            cmyk_to_rgb(&decoded.data, adobe)
        } else {
            decoded.data
        };
        let raster = Raster::Rgb(Rgb {
            width: decoded.width,
            height: decoded.height,
            data: rgb,
        });
        (raster, decoded.warning)
    };
    // libjpeg fills the missing rows of a truncated file with grey and calls it a warning. A
    // half-grey photo kept forever is worse than asking for the upload again. Other warnings
    // (stray bytes between markers, which many cameras write) leave a complete image. The last
    // message is not reliably the end-of-file one, so the file's structure is checked instead.
    if warning.is_some() && !jpeg_markers::has_end_of_image(data, scan_start) {
        return Err(ImagingError::Corrupt(
            "the JPEG data ends early (is the file truncated?)".into(),
        ));
    }
    Ok(raster)
}

/// Naive CMYK → RGB: without a colour engine this is what browsers and most viewers do.
/// Adobe-marked files store 255 − ink, others store ink.
fn cmyk_to_rgb(cmyk: &[u8], adobe_inverted: bool) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(cmyk.len() / 4 * 3);
    for px in cmyk.chunks_exact(4) {
        let [c, m, y, k] = [px[0], px[1], px[2], px[3]].map(u32::from);
        // Amount of paper left white by each ink, 0..=255.
        let (c, m, y, k) = if adobe_inverted {
            (c, m, y, k)
        } else {
            (255 - c, 255 - m, 255 - y, 255 - k)
        };
        rgb.extend_from_slice(&[mul255(c, k), mul255(m, k), mul255(y, k)]);
    }
    rgb
}

/// a × b / 255, rounded.
fn mul255(a: u32, b: u32) -> u8 {
    let t = a * b + 128;
    ((t + (t >> 8)) >> 8) as u8
}

fn to_rgb(image: DynamicImage) -> Rgb {
    let (width, height) = (image.width(), image.height());
    let data = if image.color().has_alpha() {
        flatten_onto_white(image.into_rgba8().into_raw())
    } else {
        image.into_rgb8().into_raw()
    };
    Rgb {
        width,
        height,
        data,
    }
}

fn flatten_onto_white(rgba: Vec<u8>) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            rgb.push(mul255(u32::from(c), a) + mul255(255, 255 - a));
        }
    }
    rgb
}

fn image_error(error: image::ImageError, limits: &Limits) -> ImagingError {
    match error {
        image::ImageError::Limits(_) => ImagingError::Corrupt(format!(
            "decoding would need more memory than an image of {} megapixels may use",
            limits.max_pixels / 1_000_000
        )),
        image::ImageError::Unsupported(e) => {
            ImagingError::Corrupt(format!("uses a feature we cannot decode: {e}"))
        }
        other => ImagingError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpegs_decode_at_every_scale_with_every_chroma_layout() {
        use jpeg_encoder::SamplingFactor as S;
        let (w, h) = (333u32, 222u32);
        // Smooth colour ramps: red across, green down, blue constant.
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                rgb.extend([(x * 255 / w) as u8, (y * 255 / h) as u8, 90]);
            }
        }
        let layouts = [
            S::R_4_4_4,
            S::R_4_4_0,
            S::R_4_4_1,
            S::R_4_2_2,
            S::R_4_2_0,
            S::R_4_2_1,
            S::R_4_1_1,
            S::R_4_1_0,
        ];
        for layout in layouts {
            let mut jpeg = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 95);
            encoder.set_sampling_factor(layout);
            encoder
                .encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
                .unwrap();
            for (min, eighths) in [
                ((40, 27), 1),
                ((80, 55), 2),
                ((160, 110), 4),
                ((333, 222), 8),
            ] {
                let opened = open(&jpeg, SourceFormat::Jpeg, &Limits::default()).unwrap();
                let raster = opened.decode(min.0, min.1).unwrap();
                let (dw, dh) = (turbo::scaled(w, eighths), turbo::scaled(h, eighths));
                assert_eq!(raster.size(), (dw, dh), "{layout:?} at {eighths}/8");
                let pixels = raster.to_rgb().unwrap();
                // The pixel at the middle should be about (127, 127, 90).
                let at = ((dh / 2 * dw + dw / 2) * 3) as usize;
                let mid = &pixels.data[at..at + 3];
                for (got, want) in mid.iter().zip([127u8, 127, 90]) {
                    assert!(
                        got.abs_diff(want) <= 12,
                        "{layout:?} at {eighths}/8: {mid:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn multiplies_like_exact_rounded_division() {
        for a in 0..=255u32 {
            for b in 0..=255u32 {
                let exact = ((a * b) as f64 / 255.0).round() as u8;
                assert_eq!(mul255(a, b), exact, "{a} × {b} / 255");
            }
        }
    }

    #[test]
    fn flattens_alpha_onto_white() {
        let rgba = vec![255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 128];
        assert_eq!(
            flatten_onto_white(rgba),
            vec![255, 0, 0, 255, 255, 255, 127, 127, 127]
        );
    }

    #[test]
    fn converts_both_cmyk_conventions() {
        // Pure cyan ink at full strength, no black: no red light comes back.
        assert_eq!(cmyk_to_rgb(&[255, 0, 0, 0], false), vec![0, 255, 255]);
        assert_eq!(cmyk_to_rgb(&[0, 255, 255, 255], true), vec![0, 255, 255]);
        // Full black.
        assert_eq!(cmyk_to_rgb(&[0, 0, 0, 255], false), vec![0, 0, 0]);
        assert_eq!(cmyk_to_rgb(&[255, 255, 255, 0], true), vec![0, 0, 0]);
    }

    #[test]
    fn picks_the_smallest_jpeg_scale_that_is_large_enough() {
        // A 12 MP photo: the 2048 preview needs the full size, a 720-high thumbnail 1/4.
        assert_eq!(jpeg_scale(4000, 3000, 2048, 1536), 8);
        assert_eq!(jpeg_scale(4000, 3000, 960, 720), 2);
        assert_eq!(jpeg_scale(4000, 3000, 480, 360), 1);
        assert_eq!(jpeg_scale(8000, 6000, 2048, 1536), 4);
        assert_eq!(jpeg_scale(100, 100, 100, 100), 8);
    }
}
