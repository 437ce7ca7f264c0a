//! Decoded pixels in memory. JPEGs stay in their own Y, Cb, Cr planes from decoder to encoder
//! (no chroma upsampling, no colour conversion either way, and the chroma planes are a quarter
//! of the work to resize); everything else is packed RGB.

use crate::error::ImagingError;
use crate::resize;
pub(crate) use crate::turbo::Plane;
use fast_image_resize::Resizer;
use image::metadata::Orientation;

/// Packed 8-bit RGB, row after row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rgb {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Raster {
    Rgb(Rgb),
    /// `[Y]` for greyscale, `[Y, Cb, Cr]` otherwise; chroma planes may be smaller than Y.
    Planes(Vec<Plane>),
}

impl Raster {
    pub fn size(&self) -> (u32, u32) {
        match self {
            Raster::Rgb(rgb) => (rgb.width, rgb.height),
            Raster::Planes(planes) => planes.first().map_or((0, 0), |y| (y.width, y.height)),
        }
    }

    /// Resizes to `width`×`height`. Planes come out as 4:2:0 (chroma at half size, rounded
    /// up), which is what the encoder writes.
    pub fn resize(
        &self,
        resizer: &mut Resizer,
        width: u32,
        height: u32,
    ) -> Result<Raster, ImagingError> {
        match self {
            Raster::Rgb(rgb) => {
                let data = resize::resize_samples(
                    resizer,
                    &rgb.data,
                    (rgb.width, rgb.height),
                    (width, height),
                    3,
                )?;
                Ok(Raster::Rgb(Rgb {
                    width,
                    height,
                    data,
                }))
            }
            Raster::Planes(planes) => {
                let mut out = Vec::with_capacity(planes.len());
                for (i, plane) in planes.iter().enumerate() {
                    let size = if i == 0 {
                        (width, height)
                    } else {
                        (width.div_ceil(2), height.div_ceil(2))
                    };
                    let data = resize::resize_samples(
                        resizer,
                        &plane.data,
                        (plane.width, plane.height),
                        size,
                        1,
                    )?;
                    out.push(Plane {
                        width: size.0,
                        height: size.1,
                        data,
                    });
                }
                Ok(Raster::Planes(out))
            }
        }
    }

    /// Applies the EXIF orientation.
    pub fn orient(self, orientation: Orientation) -> Result<Raster, ImagingError> {
        match self {
            Raster::Rgb(rgb) => {
                let (width, height, data) =
                    resize::orient_samples(rgb.data, (rgb.width, rgb.height), 3, orientation)?;
                Ok(Raster::Rgb(Rgb {
                    width,
                    height,
                    data,
                }))
            }
            Raster::Planes(planes) => planes
                .into_iter()
                .map(|p| {
                    let (width, height, data) =
                        resize::orient_samples(p.data, (p.width, p.height), 1, orientation)?;
                    Ok(Plane {
                        width,
                        height,
                        data,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Raster::Planes),
        }
    }

    /// Packed RGB, for the placeholder. Planes are converted with the JFIF (full-range BT.601)
    /// equations that JPEG uses.
    pub fn to_rgb(&self) -> Result<Rgb, ImagingError> {
        let planes = match self {
            Raster::Rgb(rgb) => return Ok(rgb.clone()),
            Raster::Planes(planes) => planes,
        };
        let wrong = || ImagingError::Corrupt("internal: plane sizes".into());
        let y = planes.first().ok_or_else(wrong)?;
        let (width, height) = (y.width, y.height);
        let mut data = Vec::with_capacity(width as usize * height as usize * 3);
        for row in 0..height {
            for col in 0..width {
                let luma = f32::from(*y.data.get((row * width + col) as usize).ok_or_else(wrong)?);
                let (cb, cr) = match planes.get(1..3) {
                    Some([cb, cr]) => (
                        chroma_at(cb, col, row, (width, height)),
                        chroma_at(cr, col, row, (width, height)),
                    ),
                    _ => (Some(128.0), Some(128.0)),
                };
                let (cb, cr) = (cb.ok_or_else(wrong)? - 128.0, cr.ok_or_else(wrong)? - 128.0);
                let rgb = [
                    luma + 1.402 * cr,
                    luma - 0.344_136 * cb - 0.714_136 * cr,
                    luma + 1.772 * cb,
                ];
                data.extend(rgb.map(|v| v.round().clamp(0.0, 255.0) as u8));
            }
        }
        Ok(Rgb {
            width,
            height,
            data,
        })
    }
}

/// The chroma sample covering luma position (`col`, `row`), whatever the plane's subsampling.
fn chroma_at(plane: &Plane, col: u32, row: u32, (width, height): (u32, u32)) -> Option<f32> {
    let x = u64::from(col) * u64::from(plane.width) / u64::from(width);
    let y = u64::from(row) * u64::from(plane.height) / u64::from(height);
    plane
        .data
        .get((y * u64::from(plane.width) + x) as usize)
        .copied()
        .map(f32::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(width: u32, height: u32, value: u8) -> Plane {
        Plane {
            width,
            height,
            data: vec![value; (width * height) as usize],
        }
    }

    #[test]
    fn planes_resize_to_420_and_convert_to_rgb() {
        // 4:4:4 planes of a saturated red (JFIF Y, Cb, Cr of 255, 0, 0).
        let red = Raster::Planes(vec![plane(9, 7, 76), plane(9, 7, 85), plane(9, 7, 255)]);
        let mut resizer = Resizer::new();
        let Raster::Planes(small) = red.resize(&mut resizer, 5, 3).unwrap() else {
            panic!("planes in, planes out")
        };
        let sizes: Vec<_> = small.iter().map(|p| (p.width, p.height)).collect();
        assert_eq!(sizes, vec![(5, 3), (3, 2), (3, 2)]);
        let rgb = Raster::Planes(small).to_rgb().unwrap();
        assert_eq!((rgb.width, rgb.height), (5, 3));
        for px in rgb.data.chunks(3) {
            assert!(px[0] >= 250 && px[1] <= 3 && px[2] <= 3, "{px:?}");
        }
    }

    #[test]
    fn greyscale_is_one_plane_and_orientation_swaps_every_plane() {
        let grey = Raster::Planes(vec![plane(4, 2, 90)]);
        assert_eq!(grey.to_rgb().unwrap().data, vec![90; 4 * 2 * 3]);
        let colour = Raster::Planes(vec![plane(4, 2, 90), plane(2, 1, 128), plane(2, 1, 128)]);
        let Raster::Planes(turned) = colour.orient(Orientation::Rotate90).unwrap() else {
            panic!()
        };
        let sizes: Vec<_> = turned.iter().map(|p| (p.width, p.height)).collect();
        assert_eq!(sizes, vec![(2, 4), (1, 2), (1, 2)]);
    }
}
