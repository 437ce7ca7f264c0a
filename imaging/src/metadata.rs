//! What we read from EXIF: the orientation (how the camera was held) and when the photo was
//! taken. EXIF is written by thousands of devices and apps and is often broken; anything we
//! cannot read is treated as absent, never as an error.

use image::metadata::Orientation;
use std::io::Cursor;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhotoMetadata {
    pub orientation: Orientation,
    /// `YYYY-MM-DDTHH:MM:SS` in the camera's local time.
    pub taken_at: Option<String>,
}

impl Default for PhotoMetadata {
    fn default() -> Self {
        PhotoMetadata {
            orientation: Orientation::NoTransforms,
            taken_at: None,
        }
    }
}

/// From the TIFF structure inside a JPEG's APP1 "Exif" segment.
pub(crate) fn from_tiff(tiff: &[u8]) -> PhotoMetadata {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    read_partial(reader.read_raw(tiff.to_vec()))
}

/// From a whole file: kamadak-exif finds the EXIF block in TIFF, PNG (eXIf) and WebP files.
pub(crate) fn from_container(data: &[u8]) -> PhotoMetadata {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    read_partial(reader.read_from_container(&mut Cursor::new(data)))
}

fn read_partial(result: Result<exif::Exif, exif::Error>) -> PhotoMetadata {
    // Keep whatever fields parsed even if others in the block are broken.
    match result.or_else(|e| e.distill_partial_result(|_| {})) {
        Ok(exif) => PhotoMetadata {
            orientation: orientation(&exif),
            taken_at: taken_at(&exif),
        },
        Err(_) => PhotoMetadata::default(),
    }
}

fn orientation(exif: &exif::Exif) -> Orientation {
    exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|field| field.value.get_uint(0))
        .and_then(|value| u8::try_from(value).ok())
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms)
}

/// DateTimeOriginal is when the shutter fired; DateTimeDigitized is the same for digital
/// cameras and is the fallback when an app dropped the former. DateTime (0x0132) is the last
/// edit, so it is not used.
fn taken_at(exif: &exif::Exif) -> Option<String> {
    [exif::Tag::DateTimeOriginal, exif::Tag::DateTimeDigitized]
        .into_iter()
        .find_map(|tag| {
            let field = exif.get_field(tag, exif::In::PRIMARY)?;
            match &field.value {
                exif::Value::Ascii(values) => values.first().and_then(|raw| format_datetime(raw)),
                _ => None,
            }
        })
}

/// "2024:05:17 14:03:59" → "2024-05-17T14:03:59", refusing the zeros and out-of-range values
/// that cameras without a set clock write.
fn format_datetime(raw: &[u8]) -> Option<String> {
    let dt = exif::DateTime::from_ascii(raw).ok()?;
    let valid = (1..=9999).contains(&dt.year)
        && (1..=12).contains(&dt.month)
        && (1..=31).contains(&dt.day)
        && dt.hour < 24
        && dt.minute < 60
        && dt.second < 61;
    valid.then(|| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year,
            dt.month,
            dt.day,
            dt.hour,
            dt.minute,
            dt.second.min(59)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_exif_dates_and_refuses_unset_clocks() {
        assert_eq!(
            format_datetime(b"2024:05:17 14:03:59").as_deref(),
            Some("2024-05-17T14:03:59")
        );
        assert_eq!(format_datetime(b"0000:00:00 00:00:00"), None);
        assert_eq!(format_datetime(b"2024:13:01 00:00:00"), None);
        assert_eq!(format_datetime(b"                   "), None);
        assert_eq!(format_datetime(b"yesterday"), None);
    }

    #[test]
    fn broken_exif_is_absent_not_an_error() {
        assert_eq!(
            from_tiff(b"II*\0\xff\xff\xff\xff garbage"),
            PhotoMetadata::default()
        );
        assert_eq!(from_tiff(b""), PhotoMetadata::default());
        assert_eq!(from_container(b"GIF89a"), PhotoMetadata::default());
    }
}
