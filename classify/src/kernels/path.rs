//! Which kernels run a model's convolutions: the widest vector instructions the CPU has, or
//! the path `GAILLERY_KERNELS` names, so that every path a machine can run is tested and
//! benchmarked on it.

use std::fmt;

/// The variable that forces a path.
pub const KERNELS_VARIABLE: &str = "GAILLERY_KERNELS";

/// A set of convolution kernels, from the widest vectors to none of our own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KernelPath {
    /// Our kernels on 512-bit vectors (x86-64 with AVX-512F).
    Avx512,
    /// Our kernels on 256-bit vectors with fused multiply-add (x86-64 with AVX2 and FMA).
    Avx2,
    /// Our kernels as plain Rust the compiler vectorises for the target's baseline (SSE2 on
    /// x86-64, NEON on aarch64): runs everywhere.
    Portable,
    /// candle's own convolutions: the reference the others are checked against.
    Candle,
}

impl KernelPath {
    /// Every path, widest first.
    pub const ALL: [KernelPath; 4] = [
        KernelPath::Avx512,
        KernelPath::Avx2,
        KernelPath::Portable,
        KernelPath::Candle,
    ];

    /// The name `GAILLERY_KERNELS` takes.
    pub fn name(self) -> &'static str {
        match self {
            KernelPath::Avx512 => "avx512",
            KernelPath::Avx2 => "avx2",
            KernelPath::Portable => "portable",
            KernelPath::Candle => "candle",
        }
    }

    pub fn parse(name: &str) -> Option<KernelPath> {
        KernelPath::ALL
            .into_iter()
            .find(|path| path.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether this CPU has the instructions the path needs.
    pub fn supported(self) -> bool {
        match self {
            KernelPath::Avx512 => cpu_has_avx512(),
            KernelPath::Avx2 => cpu_has_avx2_fma(),
            KernelPath::Portable | KernelPath::Candle => true,
        }
    }

    /// The paths this CPU runs, widest first.
    pub fn available() -> impl Iterator<Item = KernelPath> {
        KernelPath::ALL.into_iter().filter(|path| path.supported())
    }

    /// The widest path this CPU runs.
    pub fn best() -> KernelPath {
        KernelPath::available()
            .next()
            .unwrap_or(KernelPath::Portable)
    }

    /// The path `GAILLERY_KERNELS` names, or the best one when it is unset or empty. A name
    /// that is unknown, or a path the CPU lacks, is refused: a forced path never quietly
    /// becomes another.
    pub fn from_env() -> Result<KernelPath, KernelPathError> {
        match std::env::var(KERNELS_VARIABLE) {
            Ok(name) if !name.trim().is_empty() => KernelPath::forced(&name),
            _ => Ok(KernelPath::best()),
        }
    }

    /// The path `name` forces, if known and supported here.
    pub fn forced(name: &str) -> Result<KernelPath, KernelPathError> {
        let path = KernelPath::parse(name).ok_or_else(|| KernelPathError::Unknown(name.into()))?;
        if path.supported() {
            Ok(path)
        } else {
            Err(KernelPathError::Unsupported(path))
        }
    }

    /// Our kernel paths this CPU runs, for tests; those it lacks are named as skipped, never
    /// passed over silently.
    #[cfg(test)]
    pub(crate) fn ours_here() -> Vec<KernelPath> {
        let ours = KernelPath::ALL
            .into_iter()
            .filter(|path| path.isa().is_some());
        ours.filter(|path| {
            if !path.supported() {
                eprintln!("skipped: this CPU lacks the instructions of the {path} kernels");
            }
            path.supported()
        })
        .collect()
    }

    /// The instruction set of our kernels on this path; none on candle's.
    pub(crate) fn isa(self) -> Option<Isa> {
        match self {
            KernelPath::Avx512 => Some(Isa::Avx512),
            KernelPath::Avx2 => Some(Isa::Avx2),
            KernelPath::Portable => Some(Isa::Portable),
            KernelPath::Candle => None,
        }
    }
}

/// The instruction set one of our kernels is compiled for: a [`KernelPath`] other than
/// candle's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    Avx512,
    Avx2,
    Portable,
}

impl Isa {
    pub(crate) fn path(self) -> KernelPath {
        match self {
            Isa::Avx512 => KernelPath::Avx512,
            Isa::Avx2 => KernelPath::Avx2,
            Isa::Portable => KernelPath::Portable,
        }
    }
}

impl fmt::Display for KernelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why `GAILLERY_KERNELS` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelPathError {
    #[error(
        "{KERNELS_VARIABLE}={0:?} is not a kernel path (known: avx512, avx2, portable, candle)"
    )]
    Unknown(String),
    #[error("{KERNELS_VARIABLE}={0}: this CPU lacks the instructions it needs (it runs: {available})", available = available_names())]
    Unsupported(KernelPath),
}

fn available_names() -> String {
    KernelPath::available()
        .map(KernelPath::name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn cpu_has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

fn cpu_has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for path in KernelPath::ALL {
            assert_eq!(KernelPath::parse(path.name()), Some(path));
        }
        assert_eq!(KernelPath::parse(" AVX2 "), Some(KernelPath::Avx2));
        let refused = KernelPath::forced("sse9").unwrap_err();
        assert_eq!(refused, KernelPathError::Unknown("sse9".into()));
        assert!(refused
            .to_string()
            .contains("known: avx512, avx2, portable, candle"));
    }

    #[test]
    fn a_path_the_cpu_lacks_is_refused_and_the_best_is_supported() {
        assert!(KernelPath::best().supported());
        assert!(KernelPath::Portable.supported() && KernelPath::Candle.supported());
        for path in KernelPath::ALL {
            match KernelPath::forced(path.name()) {
                Ok(forced) => assert_eq!(forced, path),
                Err(error) => {
                    assert!(!path.supported());
                    assert!(error.to_string().contains("lacks"), "{error}");
                }
            }
        }
    }
}
