//! The portable micro-kernel: a tile of `C` in plain Rust over fixed-size arrays, which the
//! compiler turns into the target's baseline vectors (four SSE2 or NEON lanes a register)
//! without any `unsafe` intrinsics. It runs on every CPU; the wider kernels beat it where the
//! CPU has them. The tile fits the baseline's registers: 6×8 is twelve accumulators of SSE2's
//! sixteen registers, 4×16 sixteen of NEON's thirty-two.

use super::Tile;

/// Rows of `C` per tile.
#[cfg(target_arch = "x86_64")]
pub(super) const MR: usize = 6;
/// Columns of `C` per tile: two vectors.
#[cfg(target_arch = "x86_64")]
pub(super) const NR: usize = 8;
#[cfg(not(target_arch = "x86_64"))]
pub(super) const MR: usize = 4;
#[cfg(not(target_arch = "x86_64"))]
pub(super) const NR: usize = 16;

/// # Safety
/// The tile's pointers must be valid for its sizes: `depth × MR` values of A, `depth × NR` of
/// B, and `rows` rows of `columns` values `ldc` apart in C and the residual.
pub(super) unsafe fn run(t: &Tile) {
    // SAFETY: as the caller promises.
    let (a, b) = unsafe {
        (
            std::slice::from_raw_parts(t.a, t.depth * MR),
            std::slice::from_raw_parts(t.b, t.depth * NR),
        )
    };
    let mut acc = [[0f32; NR]; MR];
    for (r, row) in acc.iter_mut().enumerate().take(t.rows) {
        // SAFETY: row `r` of the tile is inside C (and the bias has a value per row).
        unsafe {
            if t.first {
                row.fill(*t.bias.add(r));
            } else {
                let c = std::slice::from_raw_parts(t.c.add(r * t.ldc), t.columns);
                row[..t.columns].copy_from_slice(c);
            }
        }
    }
    // Every row of the tile is multiplied, padding rows included (their weights are zero and
    // they are never stored): fixed trip counts are what the compiler vectorises.
    multiply_tile(&mut acc, a.as_chunks::<MR>().0, b.as_chunks::<NR>().0);
    for (r, row) in acc.iter_mut().enumerate().take(t.rows) {
        let row = &mut row[..t.columns];
        if t.last {
            if let Some(residual) = t.residual {
                // SAFETY: row `r` of the residual is shaped like C's.
                let residual =
                    unsafe { std::slice::from_raw_parts(residual.add(r * t.ldc), t.columns) };
                for (value, &add) in row.iter_mut().zip(residual) {
                    *value += add;
                }
            }
            for value in row.iter_mut() {
                *value = t.activation.apply_scalar(*value);
            }
        }
        // SAFETY: row `r` of the tile is inside C, and no other task writes it.
        let c = unsafe { std::slice::from_raw_parts_mut(t.c.add(r * t.ldc), t.columns) };
        c.copy_from_slice(row);
    }
}

/// `acc += a·b` over the depth steps, a column of `A` by a row of `B` each, with indices the
/// compiler sees are in bounds so that it keeps `acc` in vector registers.
#[inline(always)]
fn multiply_tile(acc: &mut [[f32; NR]; MR], a: &[[f32; MR]], b: &[[f32; NR]]) {
    let mut local = *acc;
    for (a, b) in a.iter().zip(b) {
        for r in 0..MR {
            for j in 0..NR {
                local[r][j] += a[r] * b[j];
            }
        }
    }
    *acc = local;
}
