//! The columns of a dense convolution (im2col), packed straight into the GEMM's panels a block
//! at a time (see [`super::gemm::Columns`]), never as a matrix of their own.
//!
//! Column `(image, oy, ox)`, row `(c, ky, kx)` holds the pixel of channel `c` under kernel
//! offset `(ky, kx)` at output pixel `(oy, ox)`, or zero in the padding. A panel's pixels are
//! cut into runs along output rows; each run of a row is a copy (stride 1) or a gather (stride
//! 2) of one input row, zero where it hangs over the edge. With AVX-512 a run goes sixteen
//! values at a time through masked loads, which read nothing outside the image: packing is
//! what a layer with few output channels spends most of its time on besides the product.

use super::gemm;
use super::{Geometry, Isa};

/// A channel-major batch of images, `[channels, batch, height, width]`.
pub(crate) struct Images<'a> {
    pub data: &'a [f32],
    pub channels: usize,
    pub batch: usize,
    pub height: usize,
    pub width: usize,
}

/// The columns of a convolution of `geometry` over `images`.
pub(crate) struct Im2col<'a> {
    pub images: Images<'a>,
    pub geometry: Geometry,
    /// Whose vectors copy the runs.
    pub isa: Isa,
}

impl gemm::Columns for Im2col<'_> {
    fn depth(&self) -> usize {
        self.images.channels * self.geometry.kernel * self.geometry.kernel
    }

    fn columns(&self) -> usize {
        self.images.batch * self.geometry.out_height * self.geometry.out_width
    }

    fn pack<const NR: usize>(
        &self,
        k0: usize,
        depth: usize,
        first: usize,
        width: usize,
        panels: &mut [f32],
    ) {
        for (index, panel) in panels.chunks_exact_mut(depth * NR).enumerate() {
            let first = first + index * NR;
            let count = NR.min(width - index * NR);
            self.pack_panel::<NR>((first, count), k0..k0 + depth, panel);
        }
    }
}

/// A stretch of one output row inside a panel.
struct Run {
    /// Where it starts in the panel's rows.
    offset: usize,
    image: usize,
    /// The output row and its first column.
    oy: usize,
    ox: usize,
    len: usize,
}

impl Im2col<'_> {
    /// One panel, for output pixels `first..first + count` (numbered across the batch) and
    /// the given `rows` of `(c, ky, kx)`.
    fn pack_panel<const NR: usize>(
        &self,
        (first, count): (usize, usize),
        rows: std::ops::Range<usize>,
        panel: &mut [f32],
    ) {
        let (g, images) = (&self.geometry, &self.images);
        let (k, s) = (g.kernel, g.stride);
        let (height, width) = (images.height, images.width);
        let out_plane = g.out_height * g.out_width;
        // A panel of 32 pixels spans at most a few output rows.
        let mut runs = Vec::with_capacity(4);
        let mut done = 0;
        while done < count {
            let (image, pixel) = ((first + done) / out_plane, (first + done) % out_plane);
            let (oy, ox) = (pixel / g.out_width, pixel % g.out_width);
            let len = (g.out_width - ox).min(count - done);
            runs.push(Run {
                offset: done,
                image,
                oy,
                ox,
                len,
            });
            done += len;
        }
        let plane = height * width;
        for (row, out) in rows.zip(panel.chunks_exact_mut(NR)) {
            let (channel, ky, kx) = (row / (k * k), row / k % k, row % k);
            let channel = &images.data[channel * images.batch * plane..][..images.batch * plane];
            for run in &runs {
                let dst = &mut out[run.offset..run.offset + run.len];
                match Geometry::source(run.oy, ky, s, g.top, height) {
                    Some(y) => {
                        let source = &channel[run.image * plane + y * width..][..width];
                        // The input column under the run's first pixel; negative in the padding.
                        let start = (run.ox * s + kx) as isize - g.left as isize;
                        copy_run(dst, source, start, s, self.isa);
                    }
                    None => dst.fill(0.0),
                }
            }
        }
    }
}

/// `dst[i] = source[start + i·stride]`, or zero where that is outside `source`.
fn copy_run(dst: &mut [f32], source: &[f32], start: isize, stride: usize, isa: Isa) {
    #[cfg(target_arch = "x86_64")]
    if (stride == 1 || stride == 2) && isa == Isa::Avx512 && isa.path().supported() {
        // SAFETY: the CPU has AVX-512F.
        unsafe { avx512::copy_run(dst, source, start, stride) };
        return;
    }
    for (i, value) in dst.iter_mut().enumerate() {
        let x = start + (i * stride) as isize;
        *value = usize::try_from(x)
            .ok()
            .and_then(|x| source.get(x))
            .copied()
            .unwrap_or(0.0);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// Bits `low..high` set (clamped to `0..=64`).
    fn bits(low: isize, high: isize) -> u64 {
        let ones = |n: isize| match n.clamp(0, 64) {
            64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        ones(high) & !ones(low)
    }

    /// [`super::copy_run`] for strides 1 and 2, sixteen outputs at a time. Lanes outside
    /// `source` are masked off: they read no memory and come out zero.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn copy_run(dst: &mut [f32], source: &[f32], start: isize, stride: usize) {
        let evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        let width = source.len() as isize;
        for (chunk, out) in dst.chunks_mut(16).enumerate() {
            // The input column under this chunk's first output, and the inside of the row
            // relative to it.
            let at = start + (chunk * 16 * stride) as isize;
            let inside = |lanes: isize| bits(-at, (width - at).min(lanes));
            let store = bits(0, out.len() as isize) as __mmask16;
            let base = source.as_ptr().wrapping_offset(at);
            // SAFETY: only lanes inside `source` are loaded (masked loads touch no other
            // memory), and only `out.len()` lanes are stored.
            unsafe {
                let values = if stride == 1 {
                    _mm512_maskz_loadu_ps(inside(16) as __mmask16, base)
                } else {
                    let mask = inside(2 * out.len() as isize);
                    let low = _mm512_maskz_loadu_ps(mask as __mmask16, base);
                    let high =
                        _mm512_maskz_loadu_ps((mask >> 16) as __mmask16, base.wrapping_add(16));
                    _mm512_permutex2var_ps(low, evens, high)
                };
                _mm512_mask_storeu_ps(out.as_mut_ptr(), store, values);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_copy_the_row_and_zero_what_hangs_over_its_edges() {
        let source: Vec<f32> = (1..=40).map(|i| i as f32).collect();
        let paths = crate::KernelPath::available().filter_map(crate::KernelPath::isa);
        for (isa, stride) in paths.flat_map(|isa| (1..=3).map(move |stride| (isa, stride))) {
            for start in -5..45isize {
                for len in 0..40 {
                    let mut got = vec![f32::NAN; len];
                    copy_run(&mut got, &source, start, stride, isa);
                    let want: Vec<f32> = (0..len)
                        .map(|i| {
                            let x = start + (i * stride) as isize;
                            if (0..40).contains(&x) {
                                source[x as usize]
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    assert_eq!(
                        got, want,
                        "{isa:?}, stride {stride}, start {start}, length {len}"
                    );
                }
            }
        }
    }
}
