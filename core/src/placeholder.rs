//! Reading a ThumbHash placeholder without decoding the whole image: its average colour is in
//! the header, which is enough to paint a tile before its thumbnail arrives.

/// The average colour of a ThumbHash given in standard base64, as `#rrggbb`.
pub fn average_color(thumbhash_base64: &str) -> Option<String> {
    let bytes = decode_base64(thumbhash_base64)?;
    if bytes.len() < 5 {
        return None;
    }
    let header = u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16;
    let l = f64::from(header & 63) / 63.0;
    let p = f64::from((header >> 6) & 63) / 31.5 - 1.0;
    let q = f64::from((header >> 12) & 63) / 31.5 - 1.0;
    // ThumbHash's LPQ colour space back to RGB.
    let b = l - 2.0 / 3.0 * p;
    let r = (3.0 * l - b + q) / 2.0;
    let g = r - q;
    let channel = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    Some(format!(
        "#{:02x}{:02x}{:02x}",
        channel(r),
        channel(g),
        channel(b)
    ))
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional): the ThumbHash bytes.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = buffer << 6 | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_standard_and_url_alphabets() {
        assert_eq!(decode_base64("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(decode_base64("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode_base64("!!"), None);
    }

    #[test]
    fn header_colours_come_out_as_hex() {
        // A hash whose header says: mid grey (l = 63/63 would be white; 32/63 about half),
        // neutral p and q (31.5 would be exactly 0; 32 is the nearest code).
        let header: u32 = 32 | 32 << 6 | 32 << 12;
        let bytes = [
            header as u8,
            (header >> 8) as u8,
            (header >> 16) as u8,
            0,
            0,
        ];
        let encoded = encode_for_test(&bytes);
        let color = average_color(&encoded).unwrap();
        let grey = u8::from_str_radix(&color[1..3], 16).unwrap();
        assert!((125..=135).contains(&grey), "{color}");
        assert_eq!(color.len(), 7);
    }

    #[test]
    fn garbage_gives_no_colour() {
        assert_eq!(average_color(""), None);
        assert_eq!(average_color("not base64!"), None);
    }

    fn encode_for_test(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }
}
