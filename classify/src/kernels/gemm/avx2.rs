//! The AVX2 micro-kernel: a 6×16 tile of `C` in 12 registers of 8 floats, leaving three of
//! the sixteen for the two vectors of `B` and the broadcast of `A`, with fused multiply-adds.
//! Partial tiles at the edges of `C` load and store through lane masks, as the AVX-512 kernel
//! does.

use super::Tile;
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Rows of `C` per tile: 6 rows × 2 vectors = 12 accumulators.
pub(super) const MR: usize = 6;
/// Columns of `C` per tile: two vectors of 8 floats.
pub(super) const NR: usize = 16;

#[cfg(not(target_arch = "x86_64"))]
pub(super) unsafe fn run(_: &Tile) {
    unreachable!("the AVX2 micro-kernel runs on x86-64 only (see KernelPath::supported)")
}

/// Runs the tile with the variant compiled for its exact size, so that edge tiles do no
/// wasted multiplications on padding rows.
///
/// # Safety
/// The tile's pointers must be valid for its sizes and the CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
pub(super) unsafe fn run(t: &Tile) {
    macro_rules! by_size {
        ($($rows:literal)*) => {
            match (t.rows, t.columns > 8) {
                $(($rows, false) => tile::<$rows, 1>(t),
                  ($rows, true) => tile::<$rows, 2>(t),)*
                _ => unreachable!("tile rows are 1..=MR"),
            }
        };
    }
    by_size!(1 2 3 4 5 6)
}

/// How many depth steps ahead the kernel prefetches A.
#[cfg(target_arch = "x86_64")]
const PREFETCH_STEPS: usize = 16;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn tile<const ROWS: usize, const VECTORS: usize>(t: &Tile) {
    let masks = column_masks(t.columns);
    let whole = t.columns == VECTORS * 8;
    // Loads and stores of C and the residual: whole vectors inside the tile, masked lanes at
    // its right edge (masked-off lanes touch no memory).
    let load = |at: *const f32, v: usize| {
        if whole {
            _mm256_loadu_ps(at)
        } else {
            _mm256_maskload_ps(at, masks[v])
        }
    };
    if t.last {
        // The output and the residual are usually far away: ask for them now.
        for r in 0..ROWS {
            _mm_prefetch::<_MM_HINT_T0>(t.c.wrapping_add(r * t.ldc).cast());
            if let Some(residual) = t.residual {
                _mm_prefetch::<_MM_HINT_T0>(residual.wrapping_add(r * t.ldc).cast());
            }
        }
    }
    let mut acc = [[_mm256_setzero_ps(); VECTORS]; ROWS];
    for (r, row) in acc.iter_mut().enumerate() {
        for (v, value) in row.iter_mut().enumerate() {
            *value = if t.first {
                _mm256_set1_ps(*t.bias.add(r))
            } else {
                load(t.c.add(r * t.ldc + v * 8), v)
            };
        }
    }
    // One depth step: a row of B (two vectors) times a column of A (one broadcast a row).
    let step = |acc: &mut [[__m256; VECTORS]; ROWS], a: *const f32, b: *const f32| {
        let mut columns = [_mm256_setzero_ps(); VECTORS];
        for (v, column) in columns.iter_mut().enumerate() {
            *column = _mm256_loadu_ps(b.add(v * 8));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let weight = _mm256_broadcast_ss(&*a.add(r));
            for (v, value) in row.iter_mut().enumerate() {
                *value = _mm256_fmadd_ps(weight, columns[v], *value);
            }
        }
    };
    let (mut a, mut b) = (t.a, t.b);
    // Four steps at a time: A's four columns are one and a half cache lines, fetched ahead.
    for _ in 0..t.depth / 4 {
        for line in 0..2 {
            let ahead = a.wrapping_add(PREFETCH_STEPS * MR + line * 16);
            _mm_prefetch::<_MM_HINT_T0>(ahead.cast());
        }
        for s in 0..4 {
            step(&mut acc, a.add(s * MR), b.add(s * NR));
        }
        a = a.add(4 * MR);
        b = b.add(4 * NR);
    }
    for _ in 0..t.depth % 4 {
        step(&mut acc, a, b);
        a = a.add(MR);
        b = b.add(NR);
    }
    if t.last {
        for (r, row) in acc.iter_mut().enumerate() {
            for (v, value) in row.iter_mut().enumerate() {
                if let Some(residual) = t.residual {
                    let add = load(residual.add(r * t.ldc + v * 8), v);
                    *value = _mm256_add_ps(*value, add);
                }
                *value = t.activation.apply_avx2(*value);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (v, value) in row.iter().enumerate() {
            let at = t.c.add(r * t.ldc + v * 8);
            if whole {
                _mm256_storeu_ps(at, *value);
            } else {
                _mm256_maskstore_ps(at, masks[v], *value);
            }
        }
    }
}

/// Lane masks of the tile's two column vectors: all bits set in the lanes inside the tile.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn column_masks(columns: usize) -> [__m256i; 2] {
    debug_assert!(columns <= NR);
    let lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    let lanes = |n: usize| _mm256_cmpgt_epi32(_mm256_set1_epi32(n.min(8) as i32), lane);
    [lanes(columns), lanes(columns.saturating_sub(8))]
}
