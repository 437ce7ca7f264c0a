//! The AVX-512 micro-kernel: a 12×32 tile of `C` in 24 registers of 16 floats, leaving
//! registers for the two vectors of `B` and the broadcast of `A`.

use super::Tile;
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Rows of `C` per tile: 12 rows × 2 vectors = 24 accumulators.
pub(super) const MR: usize = 12;
/// Columns of `C` per tile: two vectors of 16 floats.
pub(super) const NR: usize = 32;

#[cfg(not(target_arch = "x86_64"))]
pub(super) unsafe fn run(_: &Tile) {
    unreachable!("the AVX-512 micro-kernel runs on x86-64 only (see KernelPath::supported)")
}

/// Runs the tile with the variant compiled for its exact size, so that edge tiles do no
/// wasted multiplications on padding rows.
///
/// # Safety
/// The tile's pointers must be valid for its sizes and the CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
pub(super) unsafe fn run(t: &Tile) {
    macro_rules! by_size {
        ($($rows:literal)*) => {
            match (t.rows, t.columns > 16) {
                $(($rows, false) => tile::<$rows, 1>(t),
                  ($rows, true) => tile::<$rows, 2>(t),)*
                _ => unreachable!("tile rows are 1..=MR"),
            }
        };
    }
    by_size!(1 2 3 4 5 6 7 8 9 10 11 12)
}

/// How many depth steps ahead the kernel prefetches A.
#[cfg(target_arch = "x86_64")]
const PREFETCH_STEPS: usize = 16;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tile<const ROWS: usize, const VECTORS: usize>(t: &Tile) {
    let masks = column_masks(t.columns);
    if t.last {
        // The output and the residual are usually far away (a layer's output is megabytes):
        // ask for them now, so they arrive while the products are computed.
        for r in 0..ROWS {
            for v in 0..VECTORS {
                _mm_prefetch::<_MM_HINT_ET0>(t.c.wrapping_add(r * t.ldc + v * 16).cast());
                if let Some(residual) = t.residual {
                    let line = residual.wrapping_add(r * t.ldc + v * 16);
                    _mm_prefetch::<_MM_HINT_T0>(line.cast());
                }
            }
        }
    }
    let mut acc = [[_mm512_setzero_ps(); VECTORS]; ROWS];
    for (r, row) in acc.iter_mut().enumerate() {
        for (v, value) in row.iter_mut().enumerate() {
            *value = if t.first {
                _mm512_set1_ps(*t.bias.add(r))
            } else {
                _mm512_maskz_loadu_ps(masks[v], t.c.add(r * t.ldc + v * 16))
            };
        }
    }
    // One depth step: a row of B (two vectors) times a column of A (one broadcast a row).
    let step = |acc: &mut [[__m512; VECTORS]; ROWS], a: *const f32, b: *const f32| {
        let mut columns = [_mm512_setzero_ps(); VECTORS];
        for (v, column) in columns.iter_mut().enumerate() {
            *column = _mm512_loadu_ps(b.add(v * 16));
        }
        for (r, row) in acc.iter_mut().enumerate() {
            let weight = _mm512_set1_ps(*a.add(r));
            for (v, value) in row.iter_mut().enumerate() {
                *value = _mm512_fmadd_ps(weight, columns[v], *value);
            }
        }
    };
    let (mut a, mut b) = (t.a, t.b);
    // Four steps at a time: A's four columns are three cache lines, fetched ahead.
    for _ in 0..t.depth / 4 {
        for line in 0..3 {
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
                    let add = _mm512_maskz_loadu_ps(masks[v], residual.add(r * t.ldc + v * 16));
                    *value = _mm512_add_ps(*value, add);
                }
                *value = t.activation.apply_avx512(*value);
            }
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (v, value) in row.iter().enumerate() {
            _mm512_mask_storeu_ps(t.c.add(r * t.ldc + v * 16), masks[v], *value);
        }
    }
}

/// Lane masks of the tile's two column vectors.
#[cfg(target_arch = "x86_64")]
fn column_masks(columns: usize) -> [__mmask16; 2] {
    debug_assert!(columns <= NR);
    let lanes = |n: usize| -> __mmask16 {
        if n >= 16 {
            0xFFFF
        } else {
            ((1u32 << n) - 1) as __mmask16
        }
    };
    [lanes(columns), lanes(columns.saturating_sub(16))]
}
