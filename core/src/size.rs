//! Byte counts as people read them: what the administrator sees of each account's storage, on
//! the settings page and from `gaillery user list`.

const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/// `bytes` in binary units, with one decimal below 10 of a unit: "0 B", "512 B", "1.5 KiB",
/// "23 MiB", "4.0 GiB".
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // f64 is exact to 2^53 bytes (8 PiB) and close enough beyond for one decimal.
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    // A value that rounds up to 1024 reads better as 1.0 of the next unit.
    if value >= 1023.5 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 9.95 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_in_the_largest_unit_below_them() {
        let cases = [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1.0 KiB"),
            (1536, "1.5 KiB"),
            (10 * 1024 - 1, "10 KiB"),
            (23 * 1024 * 1024 + 1, "23 MiB"),
            (1024 * 1024 - 1, "1.0 MiB"),
            (4 << 30, "4.0 GiB"),
            (1536 << 30, "1.5 TiB"),
            (u64::MAX, "16384 PiB"),
        ];
        for (bytes, expected) in cases {
            assert_eq!(human_size(bytes), expected, "{bytes}");
        }
    }
}
