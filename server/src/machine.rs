//! What the machine offers: the memory the default decode budget is a share of.

/// Used when neither the kernel's nor the container's figure can be read.
const FALLBACK_MEMORY_BYTES: u64 = 4 << 30;

/// A quarter of the memory this process may use: the machine's, or its container's limit
/// when that is lower.
pub fn default_decode_memory_bytes() -> u64 {
    usable_memory_bytes() / 4
}

/// The machine's memory, or the cgroup's limit when one is set and lower.
pub fn usable_memory_bytes() -> u64 {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text));
    // "max" when the container has no limit.
    let container = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok());
    lower_known(machine, container)
}

fn lower_known(machine: Option<u64>, container: Option<u64>) -> u64 {
    match (machine, container) {
        (Some(machine), Some(limit)) => machine.min(limit),
        (Some(bytes), None) | (None, Some(bytes)) => bytes,
        (None, None) => FALLBACK_MEMORY_BYTES,
    }
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kilobytes = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    kilobytes.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_total_from_meminfo() {
        let meminfo = "MemTotal:       24589648 kB\nMemFree:         1234 kB\n";
        assert_eq!(mem_total(meminfo), Some(24_589_648 * 1024));
        assert_eq!(mem_total("MemFree: 12 kB\n"), None);
        assert_eq!(mem_total("MemTotal: lots kB\n"), None);
    }

    #[test]
    fn a_container_limit_counts_only_when_lower() {
        assert_eq!(lower_known(Some(8 << 30), Some(2 << 30)), 2 << 30);
        assert_eq!(lower_known(Some(8 << 30), Some(16 << 30)), 8 << 30);
        assert_eq!(lower_known(Some(8 << 30), None), 8 << 30);
        assert_eq!(lower_known(None, None), FALLBACK_MEMORY_BYTES);
    }
}
