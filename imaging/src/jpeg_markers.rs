//! Walks a JPEG's marker segments up to the start of the image data, to find what libjpeg's
//! TurboJPEG API does not tell us: the EXIF block, the ICC profile and the Adobe marker that
//! says a CMYK file stores inverted values.

/// Metadata segments of a JPEG. Missing or malformed segments are simply absent.
#[derive(Debug, Default)]
pub(crate) struct JpegSegments<'a> {
    /// The TIFF structure of the first APP1 "Exif" segment.
    pub exif: Option<&'a [u8]>,
    /// The ICC profile reassembled from its APP2 chunks, if all chunks are present.
    pub icc_profile: Option<Vec<u8>>,
    /// An APP14 "Adobe" segment is present. Photoshop, and everything imitating it, writes
    /// CMYK JPEGs with inverted values (0 = full ink) and marks them this way.
    pub adobe: bool,
    /// The first frame header (SOFn).
    pub frame: Option<Frame>,
    /// Offset of the first start-of-scan marker, where the compressed pixels begin.
    pub scan_start: Option<usize>,
}

/// What a JPEG frame header (SOFn) declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    /// Progressive (SOF2, SOF6, SOF10, SOF14): libjpeg keeps every coefficient of the image
    /// until the last scan, whatever the output scale.
    pub progressive: bool,
}

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const ICC_TAG: &[u8] = b"ICC_PROFILE\0";

pub(crate) fn scan(jpeg: &[u8]) -> JpegSegments<'_> {
    let mut found = JpegSegments::default();
    let mut icc_chunks: Vec<(u8, u8, &[u8])> = Vec::new();
    let mut pos = 2; // after SOI
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while jpeg.get(pos) == Some(&0xFF) && jpeg.get(pos + 1) == Some(&0xFF) {
            pos += 1;
        }
        // Some writers leave stray bytes between segments; libjpeg skips to the next 0xFF (with
        // a warning), and so do we.
        if jpeg.get(pos).is_some_and(|&b| b != 0xFF) {
            match jpeg[pos..].iter().position(|&b| b == 0xFF) {
                Some(skip) => {
                    pos += skip;
                    continue;
                }
                None => break,
            }
        }
        let (Some(&0xFF), Some(&marker)) = (jpeg.get(pos), jpeg.get(pos + 1)) else {
            break;
        };
        if marker == SOS {
            found.scan_start = Some(pos);
            break;
        }
        if marker == EOI {
            break;
        }
        // Standalone markers (TEM, RSTn) carry no length.
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            pos += 2;
            continue;
        }
        let Some(len) = jpeg
            .get(pos + 2..pos + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            break;
        };
        let Some(payload) = len
            .checked_sub(2)
            .and_then(|n| jpeg.get(pos + 4..pos + 4 + n))
        else {
            break;
        };
        match marker {
            APP1 if found.exif.is_none() => found.exif = payload.strip_prefix(b"Exif\0\0"),
            APP2 => {
                if let Some([seq, count, data @ ..]) = payload.strip_prefix(ICC_TAG) {
                    icc_chunks.push((*seq, *count, data));
                }
            }
            APP14 if payload.starts_with(b"Adobe") => found.adobe = true,
            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && found.frame.is_none() => {
                if let [_precision, h1, h0, w1, w0, components, ..] = *payload {
                    found.frame = Some(Frame {
                        width: u32::from(u16::from_be_bytes([w1, w0])),
                        height: u32::from(u16::from_be_bytes([h1, h0])),
                        components,
                        progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
                    });
                }
            }
            _ => {}
        }
        pos += 2 + len;
    }
    found.icc_profile = assemble_icc(icc_chunks);
    found
}

/// Whether an end-of-image marker follows the compressed data. Inside entropy-coded data 0xFF
/// is always followed by 0x00 or a restart marker, so 0xFF 0xD9 after the first scan can only
/// be the real end; a file cut short has none. (Bytes after EOI, which some cameras append, do
/// not matter.)
pub(crate) fn has_end_of_image(jpeg: &[u8], scan_start: usize) -> bool {
    jpeg.get(scan_start..)
        .is_some_and(|scans| scans.windows(2).any(|w| w == [0xFF, EOI]))
}

/// Chunks are numbered 1..=count; a profile with a missing or repeated chunk is unusable.
fn assemble_icc(mut chunks: Vec<(u8, u8, &[u8])>) -> Option<Vec<u8>> {
    let count = chunks.first()?.1;
    chunks.sort_by_key(|c| c.0);
    let complete = chunks.len() == usize::from(count)
        && chunks
            .iter()
            .enumerate()
            .all(|(i, c)| usize::from(c.0) == i + 1 && c.1 == count);
    complete.then(|| chunks.iter().flat_map(|c| c.2.iter().copied()).collect())
}

/// Returns `jpeg` with `profile` inserted as APP2 "ICC_PROFILE" segments right after the
/// APP0 (JFIF) segment, so browsers display the derived image in the original's colours.
pub(crate) fn insert_icc_profile(jpeg: Vec<u8>, profile: &[u8]) -> Vec<u8> {
    const MAX_CHUNK: usize = 65_533 - ICC_TAG.len() - 2;
    let chunks: Vec<&[u8]> = profile.chunks(MAX_CHUNK).collect();
    let Ok(count) = u8::try_from(chunks.len()) else {
        return jpeg;
    };
    if count == 0 || !jpeg.starts_with(&[0xFF, 0xD8]) {
        return jpeg;
    }
    let mut at = 2;
    if jpeg.get(2..4) == Some(&[0xFF, 0xE0]) {
        if let Some(len) = jpeg.get(4..6) {
            at = 4 + usize::from(u16::from_be_bytes([len[0], len[1]]));
        }
    }
    if at > jpeg.len() {
        return jpeg;
    }
    let mut out = Vec::with_capacity(jpeg.len() + profile.len() + 18 * chunks.len());
    out.extend_from_slice(&jpeg[..at]);
    for (i, chunk) in chunks.iter().enumerate() {
        let len = 2 + ICC_TAG.len() + 2 + chunk.len();
        out.extend_from_slice(&[0xFF, APP2]);
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(ICC_TAG);
        out.push(i as u8 + 1);
        out.push(count);
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        s.extend_from_slice(payload);
        s
    }

    #[test]
    fn finds_exif_adobe_and_a_split_icc_profile() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        jpeg.extend(segment(APP1, b"Exif\0\0II*\0"));
        jpeg.extend(segment(APP2, b"ICC_PROFILE\0\x02\x02world"));
        jpeg.extend(segment(APP2, b"ICC_PROFILE\0\x01\x02hello "));
        jpeg.extend(segment(APP14, b"Adobe\0\x64\0\0\0\0\x01"));
        jpeg.extend(segment(0xC4, b"\0 a Huffman table"));
        jpeg.extend(segment(0xC2, b"\x08\x0B\xB8\x0F\xA0\x03\x01\x22\0"));
        jpeg.extend([0xFF, SOS, 0, 2, 0xFF, 0xEE, 0xFF]);
        let found = scan(&jpeg);
        let frame = Frame {
            width: 4000,
            height: 3000,
            components: 3,
            progressive: true,
        };
        assert_eq!(found.frame, Some(frame));
        let scan_start = found.scan_start.unwrap();
        assert_eq!(&jpeg[scan_start..scan_start + 2], &[0xFF, SOS]);
        assert_eq!(found.exif, Some(&b"II*\0"[..]));
        assert_eq!(found.icc_profile.as_deref(), Some(&b"hello world"[..]));
        assert!(found.adobe);
        assert!(!has_end_of_image(&jpeg, scan_start));
        jpeg.extend([0xFF, EOI, b'x']);
        assert!(has_end_of_image(&jpeg, scan_start));
    }

    #[test]
    fn skips_garbage_between_segments_as_libjpeg_does() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        jpeg.extend(b"\0\0junk");
        jpeg.extend(segment(0xC0, b"\x08\0\x10\0\x20\x01\x01\x11\0"));
        jpeg.extend([0xFF, SOS, 0, 2]);
        let found = scan(&jpeg);
        assert_eq!(found.frame.map(|f| (f.width, f.height)), Some((32, 16)));
        assert!(found.scan_start.is_some());
    }

    #[test]
    fn a_truncated_header_yields_only_the_complete_segments() {
        let mut jpeg = vec![0xFF, 0xD8];
        let app1 = segment(APP1, b"Exif\0\0II*\0 and more bytes");
        jpeg.extend(&app1);
        let exif_end = jpeg.len();
        jpeg.extend(segment(APP2, b"ICC_PROFILE\0\x01\x01profile"));
        for end in 0..=jpeg.len() {
            let found = scan(&jpeg[..end]);
            assert_eq!(found.exif.is_some(), end >= exif_end, "cut at {end}");
            assert_eq!(
                found.icc_profile.is_some(),
                end == jpeg.len(),
                "cut at {end}"
            );
        }
    }

    #[test]
    fn an_incomplete_icc_profile_is_dropped() {
        assert_eq!(assemble_icc(vec![(1, 2, b"half")]), None);
        assert_eq!(assemble_icc(vec![(1, 2, b"a"), (1, 2, b"a")]), None);
        assert_eq!(
            assemble_icc(vec![(2, 2, b"b"), (1, 2, b"a")]),
            Some(b"ab".to_vec())
        );
    }

    #[test]
    fn inserted_profiles_read_back() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        jpeg.extend([0xFF, SOS, 0, 2]);
        let profile: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let with = insert_icc_profile(jpeg, &profile);
        assert_eq!(&with[2..4], &[0xFF, 0xE0], "APP0 stays first");
        assert_eq!(scan(&with).icc_profile, Some(profile));
    }
}
