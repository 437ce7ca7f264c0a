//! The depthwise convolution kernel: one `k×k` filter per channel plane, stride 1 or 2.
//!
//! The plane is first copied into a zero-padded scratch buffer, with its columns split by
//! phase (`x mod stride`), so that every tap `(ky, kx)` of the filter reads one contiguous run
//! of input for a whole output row. With AVX-512, sixteen outputs accumulate all `k²` taps in a
//! register; on the other paths each tap is multiplied into the whole row, in vectors the
//! compiler makes (AVX2's when that is the path).

use super::{Geometry, Isa};
use crate::layers::Activation;

/// Convolves one `height × width` plane with `weight` (`kernel²` values, row-major), adding
/// `bias` and applying `activation`, into `out` (`out_height × out_width`). `scratch` is reused
/// between calls to spare an allocation per plane.
pub(crate) fn convolve_plane(
    input: &[f32],
    out: &mut [f32],
    weight: &[f32],
    bias: f32,
    activation: Activation,
    (geometry, isa): (&Geometry, Isa),
    scratch: &mut Vec<f32>,
) {
    debug_assert_eq!(input.len(), geometry.height * geometry.width);
    debug_assert_eq!(out.len(), geometry.out_height * geometry.out_width);
    debug_assert_eq!(weight.len(), geometry.kernel * geometry.kernel);
    let padded = PaddedPlane::new(input, geometry, scratch);
    #[cfg(target_arch = "x86_64")]
    match isa {
        // SAFETY: the CPU has AVX-512F.
        Isa::Avx512 if isa.path().supported() => unsafe {
            avx512::convolve(&padded, out, weight, bias, activation, geometry)
        },
        // SAFETY: the CPU has AVX2 and FMA.
        Isa::Avx2 if isa.path().supported() => unsafe {
            convolve_rows_avx2(&padded, out, weight, bias, activation, geometry)
        },
        _ => convolve_rows(&padded, out, weight, bias, activation, geometry),
    }
    #[cfg(not(target_arch = "x86_64"))]
    convolve_rows(&padded, out, weight, bias, activation, geometry);
}

/// The input plane with its zero padding, each row stored phase by phase: column `x` is at
/// `(x mod stride)·phase + x / stride`, so that every tap of the filter reads a contiguous run
/// for a row of outputs.
struct PaddedPlane<'a> {
    data: &'a [f32],
    row_len: usize,
    phase: usize,
}

impl<'a> PaddedPlane<'a> {
    fn new(input: &[f32], g: &Geometry, scratch: &'a mut Vec<f32>) -> PaddedPlane<'a> {
        let s = g.stride;
        // The padded plane covers exactly what the output reads.
        let padded_height = (g.out_height - 1) * s + g.kernel;
        let padded_width = (g.out_width - 1) * s + g.kernel;
        let phase = padded_width.div_ceil(s);
        let row_len = phase * s;
        scratch.clear();
        scratch.resize(padded_height * row_len, 0.0);
        for (y, source) in input.chunks_exact(g.width).enumerate() {
            let py = y + g.top;
            if py >= padded_height {
                break;
            }
            let row = &mut scratch[py * row_len..][..row_len];
            let visible = source.len().min(padded_width.saturating_sub(g.left));
            let source = &source[..visible];
            match s {
                1 => row[g.left..g.left + visible].copy_from_slice(source),
                // The common strided case, with the phase arithmetic known to the compiler.
                2 => {
                    let (even, odd) = row.split_at_mut(phase);
                    for (x, &value) in source.iter().enumerate() {
                        let px = x + g.left;
                        if px.is_multiple_of(2) {
                            even[px / 2] = value;
                        } else {
                            odd[px / 2] = value;
                        }
                    }
                }
                _ => {
                    for (x, &value) in source.iter().enumerate() {
                        let px = x + g.left;
                        row[(px % s) * phase + px / s] = value;
                    }
                }
            }
        }
        PaddedPlane {
            data: scratch,
            row_len,
            phase,
        }
    }

    /// The run that tap `(ky, kx)` reads for output row `oy`, from its first output column.
    fn tap(&self, g: &Geometry, oy: usize, ky: usize, kx: usize) -> &[f32] {
        let row = &self.data[(oy * g.stride + ky) * self.row_len..][..self.row_len];
        &row[(kx % g.stride) * self.phase + kx / g.stride..][..g.out_width]
    }
}

/// [`convolve_rows`] compiled for AVX2 and FMA: the compiler vectorises its rows eight lanes
/// at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn convolve_rows_avx2(
    padded: &PaddedPlane,
    out: &mut [f32],
    weight: &[f32],
    bias: f32,
    activation: Activation,
    g: &Geometry,
) {
    convolve_rows(padded, out, weight, bias, activation, g);
}

/// The portable path: one multiply-add of a tap into a whole output row at a time.
#[inline(always)]
fn convolve_rows(
    padded: &PaddedPlane,
    out: &mut [f32],
    weight: &[f32],
    bias: f32,
    activation: Activation,
    g: &Geometry,
) {
    let k = g.kernel;
    for (oy, out_row) in out.chunks_exact_mut(g.out_width).enumerate() {
        out_row.fill(bias);
        for ky in 0..k {
            for kx in 0..k {
                let tap = weight[ky * k + kx];
                for (value, &x) in out_row.iter_mut().zip(padded.tap(g, oy, ky, kx)) {
                    *value += tap * x;
                }
            }
        }
        for value in out_row.iter_mut() {
            *value = activation.apply_scalar(*value);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Activation, Geometry, PaddedPlane};
    use std::arch::x86_64::*;

    /// Outputs sixteen at a time, every tap accumulated in a register before the one store
    /// (rows of 7 to 112 outputs leave most of a compiler-vectorised loop in its scalar tail),
    /// and four such vectors at once so that their multiply-adds overlap.
    #[target_feature(enable = "avx512f")]
    pub(super) fn convolve(
        padded: &PaddedPlane,
        out: &mut [f32],
        weight: &[f32],
        bias: f32,
        activation: Activation,
        g: &Geometry,
    ) {
        const GROUP: usize = 4;
        let (k, s) = (g.kernel, g.stride);
        // Where each tap reads, relative to an output's first input.
        let taps: Vec<(usize, f32)> = (0..k * k)
            .map(|t| {
                let (ky, kx) = (t / k, t % k);
                let offset = ky * padded.row_len + (kx % s) * padded.phase + kx / s;
                (offset, weight[t])
            })
            .collect();
        // Every run of up to sixteen outputs of a row: (first output, first input, lanes).
        let runs: Vec<(usize, usize, usize)> = (0..g.out_height)
            .flat_map(|oy| {
                (0..g.out_width).step_by(16).map(move |first| {
                    let lanes = (g.out_width - first).min(16);
                    (
                        oy * g.out_width + first,
                        oy * s * padded.row_len + first,
                        lanes,
                    )
                })
            })
            .collect();
        // Every read stays inside the padded plane: the last tap of the last run of a row ends
        // at that row's last phase (see `PaddedPlane::tap`).
        debug_assert!(runs.iter().all(|&(_, input, lanes)| {
            taps.iter()
                .all(|&(offset, _)| input + offset + lanes <= padded.data.len())
        }));
        let data = padded.data.as_ptr();
        for group in runs.chunks(GROUP) {
            let mut acc = [_mm512_set1_ps(bias); GROUP];
            let mut masks = [0 as __mmask16; GROUP];
            let mut inputs = [0usize; GROUP];
            for (i, &(_, input, lanes)) in group.iter().enumerate() {
                masks[i] = ((1u32 << lanes) - 1) as __mmask16;
                inputs[i] = input;
            }
            for &(offset, tap) in &taps {
                let tap = _mm512_set1_ps(tap);
                for i in 0..GROUP {
                    // SAFETY: in bounds (asserted above); a missing run's mask is empty, and
                    // masked-off lanes are never read.
                    let x =
                        unsafe { _mm512_maskz_loadu_ps(masks[i], data.add(inputs[i] + offset)) };
                    acc[i] = _mm512_fmadd_ps(tap, x, acc[i]);
                }
            }
            for (i, &(output, _, lanes)) in group.iter().enumerate() {
                let value = activation.apply_avx512(acc[i]);
                let target = &mut out[output..output + lanes];
                // SAFETY: the mask covers `lanes` values, all inside `target`.
                unsafe { _mm512_mask_storeu_ps(target.as_mut_ptr(), masks[i], value) };
            }
        }
    }
}
