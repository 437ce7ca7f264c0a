//! Which format a file is in, judged by its magic bytes alone. The file name and the declared
//! content type are chosen by the uploader and are never trusted.

/// The formats we decode. Each is sniffable by magic bytes; formats `image` can read but that
/// have no reliable signature (TGA) or need native codecs we do not ship (HEIC, AVIF) are
/// refused as unsupported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Tiff,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 6] = [
        SourceFormat::Jpeg,
        SourceFormat::Png,
        SourceFormat::Webp,
        SourceFormat::Gif,
        SourceFormat::Bmp,
        SourceFormat::Tiff,
    ];

    /// The stable lower-case name stored with a photo (`Photo::format`).
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "jpeg",
            SourceFormat::Png => "png",
            SourceFormat::Webp => "webp",
            SourceFormat::Gif => "gif",
            SourceFormat::Bmp => "bmp",
            SourceFormat::Tiff => "tiff",
        }
    }

    /// The content type to serve the original with.
    pub fn mime(&self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "image/jpeg",
            SourceFormat::Png => "image/png",
            SourceFormat::Webp => "image/webp",
            SourceFormat::Gif => "image/gif",
            SourceFormat::Bmp => "image/bmp",
            SourceFormat::Tiff => "image/tiff",
        }
    }

    /// The name people know the format by, for messages.
    pub fn display_name(&self) -> &'static str {
        match self {
            SourceFormat::Jpeg => "JPEG",
            SourceFormat::Png => "PNG",
            SourceFormat::Webp => "WebP",
            SourceFormat::Gif => "GIF",
            SourceFormat::Bmp => "BMP",
            SourceFormat::Tiff => "TIFF",
        }
    }

    pub fn parse(name: &str) -> Option<SourceFormat> {
        SourceFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// "JPEG, PNG, WebP, GIF, BMP and TIFF", for the `Unsupported` message.
    pub(crate) fn accepted_list() -> String {
        let names: Vec<&str> = SourceFormat::ALL.iter().map(|f| f.display_name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }

    /// The matching `image` format. JPEG normally goes to libjpeg-turbo instead.
    pub(crate) fn image_format(&self) -> image::ImageFormat {
        match self {
            SourceFormat::Jpeg => image::ImageFormat::Jpeg,
            SourceFormat::Png => image::ImageFormat::Png,
            SourceFormat::Webp => image::ImageFormat::WebP,
            SourceFormat::Gif => image::ImageFormat::Gif,
            SourceFormat::Bmp => image::ImageFormat::Bmp,
            SourceFormat::Tiff => image::ImageFormat::Tiff,
        }
    }
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Detects the format from the first bytes of a file (32 are enough). Returns `None` for
/// anything we do not decode, including formats we recognise but refuse (HEIC, AVIF, ...).
pub fn sniff(head: &[u8]) -> Option<SourceFormat> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(SourceFormat::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(SourceFormat::Png)
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(SourceFormat::Gif)
    } else if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        Some(SourceFormat::Webp)
    } else if is_bmp(head) {
        Some(SourceFormat::Bmp)
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        // Canon CR2 raw files are TIFF with a signature at offset 8; their first IFD is a
        // preview, not the photo, so they are refused rather than shown wrongly.
        if head.get(8..10) == Some(b"CR") {
            None
        } else {
            Some(SourceFormat::Tiff)
        }
    } else {
        None
    }
}

/// "BM" alone is too weak a signature (plenty of text starts with it), so the size of the info
/// header that follows the 14-byte file header must also be one of the sizes that exist.
fn is_bmp(head: &[u8]) -> bool {
    if !head.starts_with(b"BM") {
        return false;
    }
    let Some(size) = head.get(14..18) else {
        return false;
    };
    let dib_header_size = u32::from_le_bytes([size[0], size[1], size[2], size[3]]);
    matches!(dib_header_size, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_magic_bytes() {
        let mut bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0".to_vec();
        bmp.resize(32, 0);
        let table: &[(&[u8], Option<SourceFormat>)] = &[
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF\0", Some(SourceFormat::Jpeg)),
            (b"\xFF\xD8\xFF\xE1\0\x10Exif\0\0", Some(SourceFormat::Jpeg)),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", Some(SourceFormat::Png)),
            (b"GIF89a\x01\0\x01\0", Some(SourceFormat::Gif)),
            (b"GIF87a\x01\0\x01\0", Some(SourceFormat::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(SourceFormat::Webp)),
            (&bmp, Some(SourceFormat::Bmp)),
            (b"II*\0\x08\0\0\0", Some(SourceFormat::Tiff)),
            (b"MM\0*\0\0\0\x08", Some(SourceFormat::Tiff)),
            // Refused: recognised but not decodable here, or not images at all.
            (b"II*\0\x10\0\0\0CR\x02\0", None),
            (b"\0\0\0\x18ftypheic\0\0\0\0", None),
            (b"\0\0\0\x1cftypavif\0\0\0\0", None),
            (b"RIFF\x24\0\0\0WAVEfmt ", None),
            (b"BMW is a car brand, not a bitmap", None),
            (b"%PDF-1.7\n", None),
            (b"<svg xmlns=", None),
            (b"\xFF\xD8", None),
            (b"", None),
        ];
        for (head, expected) in table {
            assert_eq!(
                sniff(head),
                *expected,
                "sniff({:?})",
                String::from_utf8_lossy(head)
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for format in SourceFormat::ALL {
            assert_eq!(SourceFormat::parse(format.as_str()), Some(format));
            assert!(format.mime().starts_with("image/"));
        }
        assert_eq!(
            SourceFormat::accepted_list(),
            "JPEG, PNG, WebP, GIF, BMP and TIFF"
        );
    }
}
