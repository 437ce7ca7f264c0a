//! JPEG encoding through TurboJPEG: from packed RGB, or straight from Y/Cb/Cr planes.

use super::*;

/// Encodes packed RGB as a baseline JPEG with 4:2:0 chroma subsampling, as browsers and every
/// photo site expect for photographs at this quality.
pub(crate) fn compress_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    quality: u8,
) -> Result<Vec<u8>, TjError> {
    let pitch = width as usize * 3;
    if rgb.len() < pitch * height as usize {
        return Err(TjError {
            message: "pixel buffer too short".into(),
            warning: false,
        });
    }
    let handle = Handle::compressor()?;
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut out_len: c_ulong = 0;
    // SAFETY: `rgb` holds at least `pitch * height` bytes (checked above). With a null output
    // pointer TurboJPEG allocates the JPEG buffer itself; we copy it and free it with tjFree.
    let status = unsafe {
        tj::tjCompress2(
            handle.0,
            rgb.as_ptr(),
            c_dim(width as usize)?,
            c_dim(pitch)?,
            c_dim(height as usize)?,
            tj::TJPF_TJPF_RGB,
            &mut out,
            &mut out_len,
            tj::TJSAMP_TJSAMP_420 as c_int,
            c_int::from(quality),
            0,
        )
    };
    take_output(&handle, status, out, out_len)
}

/// Encodes Y, Cb and Cr planes (Cb and Cr at half width and height) as a 4:2:0 JPEG, or a
/// single Y plane as a greyscale JPEG, with no colour conversion.
pub(crate) fn compress_planes(planes: &[Plane], quality: u8) -> Result<Vec<u8>, TjError> {
    let subsamp = match planes.len() {
        1 => tj::TJSAMP_TJSAMP_GRAY as c_int,
        3 => tj::TJSAMP_TJSAMP_420 as c_int,
        _ => {
            return Err(TjError {
                message: "wrong number of planes".into(),
                warning: false,
            })
        }
    };
    let (width, height) = (planes[0].width, planes[0].height);
    // TurboJPEG reads a Y plane padded to whole chroma samples.
    let (padded_width, padded_height) = plane_size(0, width, height, subsamp)?;
    let padded;
    let luma = if (padded_width, padded_height) == (width, height) {
        &planes[0]
    } else {
        padded = canvas(&planes[0], padded_width, padded_height);
        &padded
    };
    let planes: Vec<&Plane> = std::iter::once(luma).chain(&planes[1..]).collect();
    for (component, plane) in planes.iter().enumerate() {
        let expected = plane_size(component as c_int, width, height, subsamp)?;
        if (plane.width, plane.height) != expected
            || plane.data.len() < plane.width as usize * plane.height as usize
        {
            return Err(TjError {
                message: "plane has the wrong size".into(),
                warning: false,
            });
        }
    }
    let mut pointers: Vec<*const u8> = planes.iter().map(|p| p.data.as_ptr()).collect();
    let strides: Vec<c_int> = planes
        .iter()
        .map(|p| c_dim(p.width as usize))
        .collect::<Result<_, _>>()?;
    let handle = Handle::compressor()?;
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut out_len: c_ulong = 0;
    // SAFETY: every plane was checked above to hold the size TurboJPEG reads for this layout,
    // with its width as stride. With a null output pointer TurboJPEG allocates the JPEG buffer.
    let status = unsafe {
        tj::tjCompressFromYUVPlanes(
            handle.0,
            pointers.as_mut_ptr(),
            c_dim(width as usize)?,
            strides.as_ptr(),
            c_dim(height as usize)?,
            subsamp,
            &mut out,
            &mut out_len,
            c_int::from(quality),
            0,
        )
    };
    take_output(&handle, status, out, out_len)
}

/// Copies TurboJPEG's output buffer into a Vec and frees it.
fn take_output(
    handle: &Handle,
    status: c_int,
    out: *mut u8,
    out_len: c_ulong,
) -> Result<Vec<u8>, TjError> {
    let result = if status != 0 || out.is_null() {
        Err(handle.error())
    } else {
        // SAFETY: on success `out` points to `out_len` initialised bytes.
        Ok(unsafe { std::slice::from_raw_parts(out, out_len as usize) }.to_vec())
    };
    if !out.is_null() {
        // SAFETY: `out` was allocated by TurboJPEG and is freed once.
        unsafe { tj::tjFree(out) };
    }
    result
}
