//! The few TurboJPEG calls we need, wrapped so that no other module touches `unsafe`.
//!
//! We bind the TurboJPEG 2 API (`turbojpeg-sys` 0.2) because that is what Debian bookworm's
//! libjpeg-turbo 2.1 provides; the `turbojpeg` crate's 1.x line needs libjpeg-turbo 3 and would
//! otherwise build it from source with cmake.

mod compress;

pub(crate) use compress::{compress_planes, compress_rgb};
use std::ffi::{c_int, c_ulong, CStr};
use turbojpeg_sys as tj;

/// What a JPEG's header says, read without decoding any pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub width: u32,
    pub height: u32,
    /// CMYK and YCCK JPEGs (print workflows, Photoshop) cannot be converted to RGB by libjpeg;
    /// they are decoded as CMYK and converted by us.
    pub cmyk: bool,
    /// Treat any libjpeg warning as an error. Set when TurboJPEG could not read the header
    /// itself, so a file that is merely a header fragment cannot decode to a grey picture.
    pub strict: bool,
    /// TurboJPEG's name for the chroma layout (`TJSAMP_*`); `None` when TurboJPEG has none.
    pub subsamp: Option<c_int>,
}

/// A failed call: libjpeg's message, and whether libjpeg classed it as a warning (the image
/// was decoded anyway, e.g. with trailing garbage) rather than a fatal error.
#[derive(Debug)]
pub(crate) struct TjError {
    pub message: String,
    pub warning: bool,
}

/// The output layouts we ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pixels {
    Rgb,
    Cmyk,
}

impl Pixels {
    fn tj_format(self) -> c_int {
        match self {
            Pixels::Rgb => tj::TJPF_TJPF_RGB,
            Pixels::Cmyk => tj::TJPF_TJPF_CMYK,
        }
    }

    pub fn channels(self) -> usize {
        match self {
            Pixels::Rgb => 3,
            Pixels::Cmyk => 4,
        }
    }
}

/// A TurboJPEG handle, destroyed on drop.
struct Handle(tj::tjhandle);

impl Handle {
    fn decompressor() -> Result<Handle, TjError> {
        // SAFETY: no preconditions; a null return is handled.
        Handle::checked(unsafe { tj::tjInitDecompress() })
    }

    fn compressor() -> Result<Handle, TjError> {
        // SAFETY: no preconditions; a null return is handled.
        Handle::checked(unsafe { tj::tjInitCompress() })
    }

    fn checked(handle: tj::tjhandle) -> Result<Handle, TjError> {
        if handle.is_null() {
            Err(TjError {
                message: "could not initialise libjpeg-turbo".into(),
                warning: false,
            })
        } else {
            Ok(Handle(handle))
        }
    }

    /// The error of the last failed call on this handle.
    fn error(&self) -> TjError {
        // SAFETY: the handle is valid; the returned string is owned by the library and stays
        // valid until the next call on the handle, and we copy it before then.
        let (message, code) = unsafe {
            let ptr = tj::tjGetErrorStr2(self.0);
            let message = if ptr.is_null() {
                "unknown libjpeg-turbo error".to_owned()
            } else {
                CStr::from_ptr(ptr).to_string_lossy().into_owned()
            };
            (message, tj::tjGetErrorCode(self.0))
        };
        TjError {
            message,
            warning: code == tj::TJERR_TJERR_WARNING as c_int,
        }
    }

    /// The result of a decompression call: an error, or the warning libjpeg gave while still
    /// producing an image (stray bytes, for example), if any.
    fn outcome(&self, status: c_int) -> Result<Option<String>, TjError> {
        if status == 0 {
            return Ok(None);
        }
        let error = self.error();
        if error.warning {
            Ok(Some(error.message))
        } else {
            Err(error)
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from tjInit* and is destroyed exactly once.
        unsafe {
            tj::tjDestroy(self.0);
        }
    }
}

fn c_len(data: &[u8]) -> Result<c_ulong, TjError> {
    c_ulong::try_from(data.len()).map_err(|_| TjError {
        message: "file too large".into(),
        warning: false,
    })
}

fn c_dim(value: usize) -> Result<c_int, TjError> {
    c_int::try_from(value).map_err(|_| TjError {
        message: "image too large".into(),
        warning: false,
    })
}

pub(crate) fn read_header(jpeg: &[u8]) -> Result<Header, TjError> {
    let handle = Handle::decompressor()?;
    let (mut width, mut height, mut subsamp, mut colorspace): (c_int, c_int, c_int, c_int) =
        (0, 0, 0, 0);
    // SAFETY: the buffer pointer and length describe `jpeg`; the out-pointers are valid locals.
    let status = unsafe {
        tj::tjDecompressHeader3(
            handle.0,
            jpeg.as_ptr(),
            c_len(jpeg)?,
            &mut width,
            &mut height,
            &mut subsamp,
            &mut colorspace,
        )
    };
    if status != 0 {
        return Err(handle.error());
    }
    let dim = |v: c_int| {
        u32::try_from(v).map_err(|_| TjError {
            message: "negative size".into(),
            warning: false,
        })
    };
    let cmyk =
        colorspace == tj::TJCS_TJCS_CMYK as c_int || colorspace == tj::TJCS_TJCS_YCCK as c_int;
    Ok(Header {
        width: dim(width)?,
        height: dim(height)?,
        cmyk,
        strict: false,
        subsamp: Some(subsamp),
    })
}

/// Size of a `width`×`height` JPEG decoded at `num/8` scale, rounded up as libjpeg does.
pub(crate) fn scaled(dimension: u32, eighths: u32) -> u32 {
    (dimension * eighths).div_ceil(8)
}

/// Decoded pixels, tightly packed.
pub(crate) struct Decoded {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
    /// A warning libjpeg reported while still producing the image.
    pub warning: Option<String>,
}

/// Decodes at `eighths`/8 of the full size (8 = full size; 4, 2 and 1 have SIMD IDCTs).
/// libjpeg-turbo's reduced IDCT produces the smaller image directly from the DCT coefficients,
/// so a 1/4-scale decode costs a fraction of a full one.
pub(crate) fn decompress(
    jpeg: &[u8],
    header: &Header,
    eighths: u32,
    pixels: Pixels,
) -> Result<Decoded, TjError> {
    let handle = Handle::decompressor()?;
    let width = scaled(header.width, eighths);
    let height = scaled(header.height, eighths);
    let pitch = width as usize * pixels.channels();
    let mut data = vec![0u8; pitch * height as usize];
    // LIMITSCANS refuses progressive JPEGs with absurd numbers of scans, a known
    // CPU-exhaustion trick. FASTUPSAMPLE replicates chroma samples instead of interpolating
    // them, which lets libjpeg-turbo use its merged SIMD upsample-and-convert path (about a
    // third of a 4:2:0 decode saved). Every derived image is downscaled and re-encoded with
    // 4:2:0 chroma, which averages chroma over the same 2×2 blocks, so the difference does not
    // survive into the outputs.
    let mut flags = (tj::TJFLAG_LIMITSCANS | tj::TJFLAG_FASTUPSAMPLE) as c_int;
    if header.strict {
        flags |= tj::TJFLAG_STOPONWARNING as c_int;
    }
    // SAFETY: `data` holds `pitch * height` bytes. TurboJPEG picks the largest scaling factor
    // whose output fits in width×height; we pass exactly the size of the `eighths`/8 factor, so
    // it writes at most `height` rows of `pitch` bytes.
    let status = unsafe {
        tj::tjDecompress2(
            handle.0,
            jpeg.as_ptr(),
            c_len(jpeg)?,
            data.as_mut_ptr(),
            c_dim(width as usize)?,
            c_dim(pitch)?,
            c_dim(height as usize)?,
            pixels.tj_format(),
            flags,
        )
    };
    let warning = handle.outcome(status)?;
    Ok(Decoded {
        width,
        height,
        data,
        warning,
    })
}

/// One plane of samples (Y, Cb or Cr), tightly packed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plane {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// Size of component `component`'s plane for a `width`×`height` image with this layout.
fn plane_size(
    component: c_int,
    width: u32,
    height: u32,
    subsamp: c_int,
) -> Result<(u32, u32), TjError> {
    // SAFETY: pure functions of their arguments; they return -1 for invalid ones.
    let (w, h) = unsafe {
        (
            tj::tjPlaneWidth(component, c_dim(width as usize)?, subsamp),
            tj::tjPlaneHeight(component, c_dim(height as usize)?, subsamp),
        )
    };
    match (u32::try_from(w), u32::try_from(h)) {
        (Ok(w), Ok(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err(TjError {
            message: "unsupported chroma layout".into(),
            warning: false,
        }),
    }
}

/// Number of planes for a layout: 1 for greyscale, else Y, Cb and Cr.
fn plane_count(subsamp: c_int) -> usize {
    if subsamp == tj::TJSAMP_TJSAMP_GRAY as c_int {
        1
    } else {
        3
    }
}

/// Decodes at `eighths`/8 scale into the JPEG's own Y, Cb and Cr planes, skipping chroma
/// upsampling and colour conversion: the resizer works on the planes and the encoder takes
/// planes, so a JPEG never exists as RGB at full size.
pub(crate) fn decompress_planes(
    jpeg: &[u8],
    header: &Header,
    eighths: u32,
) -> Result<(Vec<Plane>, Option<String>), TjError> {
    let subsamp = header.subsamp.ok_or_else(|| TjError {
        message: "unknown chroma layout".into(),
        warning: false,
    })?;
    let width = scaled(header.width, eighths);
    let height = scaled(header.height, eighths);
    let mut planes = Vec::with_capacity(3);
    for component in 0..plane_count(subsamp) {
        let (w, h) = plane_size(component as c_int, width, height, subsamp)?;
        planes.push(Plane {
            width: w,
            height: h,
            data: vec![0u8; w as usize * h as usize],
        });
    }
    let mut pointers: Vec<*mut u8> = planes.iter_mut().map(|p| p.data.as_mut_ptr()).collect();
    let mut strides: Vec<c_int> = planes
        .iter()
        .map(|p| c_dim(p.width as usize))
        .collect::<Result<_, _>>()?;
    let handle = Handle::decompressor()?;
    let flags = (tj::TJFLAG_LIMITSCANS as c_int)
        | if header.strict {
            tj::TJFLAG_STOPONWARNING as c_int
        } else {
            0
        };
    // SAFETY: each plane buffer holds tjPlaneWidth × tjPlaneHeight bytes for the scaled size,
    // with that width as its stride, which is what TurboJPEG writes for this layout; the
    // pointer and stride arrays have one entry per plane.
    let status = unsafe {
        tj::tjDecompressToYUVPlanes(
            handle.0,
            jpeg.as_ptr(),
            c_len(jpeg)?,
            pointers.as_mut_ptr(),
            c_dim(width as usize)?,
            strides.as_mut_ptr(),
            c_dim(height as usize)?,
            flags,
        )
    };
    let warning = handle.outcome(status)?;
    // TurboJPEG pads the Y plane to whole chroma samples (even widths for 4:2:0); keep only
    // the image itself.
    if let Some(luma) = planes.first_mut() {
        if (luma.width, luma.height) != (width, height) {
            *luma = canvas(luma, width, height);
        }
    }
    Ok((planes, warning))
}

/// `plane` cropped, or extended by repeating its last column and row, to `width`×`height`.
fn canvas(plane: &Plane, width: u32, height: u32) -> Plane {
    let (w, h) = (width as usize, height as usize);
    let (pw, ph) = (plane.width as usize, plane.height as usize);
    let mut data = Vec::with_capacity(w * h);
    for row in 0..h {
        let start = row.min(ph.saturating_sub(1)) * pw;
        let line = plane.data.get(start..start + pw).unwrap_or(&[]);
        let keep = w.min(line.len());
        data.extend_from_slice(&line[..keep]);
        let last = line.get(keep.wrapping_sub(1)).copied().unwrap_or(0);
        data.resize((row + 1) * w, last);
    }
    Plane {
        width,
        height,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_crops_and_extends_with_the_edge() {
        let plane = Plane {
            width: 3,
            height: 2,
            data: vec![1, 2, 3, 4, 5, 6],
        };
        assert_eq!(canvas(&plane, 2, 1).data, vec![1, 2]);
        assert_eq!(
            canvas(&plane, 4, 3).data,
            vec![1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6]
        );
    }

    #[test]
    fn plane_sizes_follow_the_chroma_layout() {
        let s420 = tj::TJSAMP_TJSAMP_420 as c_int;
        assert_eq!(
            plane_size(0, 333, 221, s420).unwrap(),
            (334, 222),
            "Y padded to whole chroma samples"
        );
        assert_eq!(plane_size(1, 333, 221, s420).unwrap(), (167, 111));
        assert_eq!(
            plane_size(0, 333, 221, tj::TJSAMP_TJSAMP_GRAY as c_int).unwrap(),
            (333, 221)
        );
        assert!(plane_size(0, 10, 10, 99).is_err());
    }
}
