//! The matrix product every dense convolution becomes: `C = activation(A·B + bias + residual)`,
//! with `A` the layer's weights (`out_channels × in_channels·k·k`, packed once at load) and `B`
//! the image's columns (`in_channels·k·k × out_pixels`, packed per call straight from the
//! input, so im2col never materialises a matrix of its own).
//!
//! It is the classic blocked GEMM (Goto and van de Geijn): both operands are packed into thin
//! panels that the micro-kernel streams through, a 12×32 tile of `C` lives in 24 AVX-512
//! registers for a whole depth block, and bias, residual and activation are applied to the tile
//! while it is still in registers. candle's im2col then GEMM runs on AVX2 and takes two more
//! passes over the output for the bias and the activation; this path is what gets ResNet50 and
//! EfficientNet close to ONNX Runtime on the CPUs that have AVX-512. Elsewhere the layers keep
//! candle's convolution.

use crate::ops::Activation;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Rows of `C` per micro-tile: 12 rows × 2 vectors = 24 accumulators, leaving registers for the
/// two vectors of `B` and the broadcast of `A`.
pub(crate) const MR: usize = 12;
/// Columns of `C` per micro-tile: two AVX-512 vectors of 16 floats.
pub(crate) const NR: usize = 32;
/// Depth per block: one panel of `B` (32 KB) and one of `A` (12 KB) fit the 48 KB L1 together.
const KC: usize = 256;
/// A parallel task covers up to this many panels of rows by this many panels of columns: each
/// panel of `B` (32 KB) stays in L1 while the panels of `A` stream past it from L2.
const TASK_ROW_PANELS: usize = 16;
const TASK_COLUMN_PANELS: usize = 2;

/// Whether this CPU runs the micro-kernel.
pub(crate) fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The left operand, packed into panels of [`MR`] rows stored depth-major, padded with zeros.
pub(crate) struct PackedRows {
    rows: usize,
    depth: usize,
    data: Vec<f32>,
}

impl PackedRows {
    /// Packs a row-major `rows × depth` matrix.
    pub fn new(matrix: &[f32], rows: usize, depth: usize) -> PackedRows {
        assert_eq!(matrix.len(), rows * depth, "matrix is not {rows}×{depth}");
        let mut data = vec![0f32; rows.div_ceil(MR) * depth * MR];
        for (panel_index, panel) in data.chunks_mut(depth * MR).enumerate() {
            let first_row = panel_index * MR;
            for r in 0..MR.min(rows - first_row) {
                let row = &matrix[(first_row + r) * depth..][..depth];
                for (k, &value) in row.iter().enumerate() {
                    panel[k * MR + r] = value;
                }
            }
        }
        PackedRows { rows, depth, data }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    fn panel(&self, index: usize) -> &[f32] {
        &self.data[index * self.depth * MR..][..self.depth * MR]
    }
}

/// The right operand, packed into panels of [`NR`] columns stored depth-major, padded with
/// zeros.
pub(crate) struct PackedColumns {
    columns: usize,
    depth: usize,
    data: Vec<f32>,
}

impl PackedColumns {
    /// Packs a `depth × columns` matrix given by `fill(k, first, out)`, which writes row `k`'s
    /// values for columns `first..first + out.len()`. See [`PackedColumns::by_panel`].
    pub fn new(
        buffer: Vec<f32>,
        depth: usize,
        columns: usize,
        fill: impl Fn(usize, usize, &mut [f32]) + Sync,
    ) -> PackedColumns {
        PackedColumns::by_panel(buffer, depth, columns, |first, width, panel| {
            for (k, row) in panel.chunks_exact_mut(NR).enumerate() {
                fill(k, first, &mut row[..width]);
            }
        })
    }

    /// Packs a `depth × columns` matrix a panel at a time: `fill(first, width, panel)` writes
    /// the first `width` values of each of the panel's `depth` rows of [`NR`] for columns
    /// `first..first + width`. Panels are filled in parallel, into `buffer`'s memory (see
    /// [`PackedColumns::into_buffer`]): reusing it spares a zeroing pass and the page faults of
    /// fresh memory.
    pub fn by_panel(
        buffer: Vec<f32>,
        depth: usize,
        columns: usize,
        fill: impl Fn(usize, usize, &mut [f32]) + Sync,
    ) -> PackedColumns {
        let mut data = buffer;
        data.resize(columns.div_ceil(NR) * depth * NR, 0.0);
        data.par_chunks_mut(depth * NR)
            .enumerate()
            .for_each(|(panel_index, panel)| {
                let first = panel_index * NR;
                let width = NR.min(columns - first);
                fill(first, width, panel);
                if width < NR {
                    for row in panel.chunks_exact_mut(NR) {
                        row[width..].fill(0.0);
                    }
                }
            });
        PackedColumns {
            columns,
            depth,
            data,
        }
    }

    /// The memory, for the next [`PackedColumns::new`].
    pub fn into_buffer(self) -> Vec<f32> {
        self.data
    }

    fn panel(&self, index: usize) -> &[f32] {
        &self.data[index * self.depth * NR..][..self.depth * NR]
    }
}

/// What is applied to each output after the product.
pub(crate) struct Epilogue<'a> {
    /// One per row.
    pub bias: &'a [f32],
    /// Added before the activation (a residual connection); shaped like the output.
    pub residual: Option<&'a [f32]>,
    pub activation: Activation,
}

/// `out = activation(a·b + bias + residual)`, `out` row-major `a.rows() × columns`. Every
/// element of `out` is written, so it need not be initialised.
///
/// Panics if the shapes disagree or the CPU lacks AVX-512 (check [`available`] first).
pub(crate) fn multiply(
    a: &PackedRows,
    b: &PackedColumns,
    out: &mut [MaybeUninit<f32>],
    epilogue: &Epilogue,
) {
    assert!(available(), "the GEMM micro-kernel needs AVX-512");
    let columns = b.columns;
    assert_eq!(a.depth, b.depth, "inner dimensions differ");
    assert_eq!(out.len(), a.rows * columns, "output is not rows×columns");
    assert_eq!(epilogue.bias.len(), a.rows, "one bias per row");
    if let Some(residual) = epilogue.residual {
        assert_eq!(
            residual.len(),
            out.len(),
            "residual is not shaped like the output"
        );
    }
    let row_panels = a.rows.div_ceil(MR);
    let column_panels = columns.div_ceil(NR);
    // Large tasks reuse each panel of B across many rows; small layers are cut finer so that
    // every thread gets work.
    let column_tasks = column_panels.div_ceil(TASK_COLUMN_PANELS);
    let mut row_step = TASK_ROW_PANELS;
    while row_step > 1
        && row_panels.div_ceil(row_step) * column_tasks < 4 * rayon::current_num_threads()
    {
        row_step /= 2;
    }
    let tasks: Vec<(usize, usize)> = (0..row_panels)
        .step_by(row_step)
        .flat_map(|r| {
            (0..column_panels)
                .step_by(TASK_COLUMN_PANELS)
                .map(move |c| (r, c))
        })
        .collect();
    let out = SharedOutput(out.as_mut_ptr().cast::<f32>());
    tasks
        .into_par_iter()
        .for_each(|(first_row_panel, first_column_panel)| {
            let rows = first_row_panel..(first_row_panel + row_step).min(row_panels);
            let columns =
                first_column_panel..(first_column_panel + TASK_COLUMN_PANELS).min(column_panels);
            // SAFETY: tasks cover disjoint panels of `out`.
            unsafe { multiply_panels(a, b, out, epilogue, rows, columns) };
        });
}

/// The product for the given panels of rows and columns: depth blocks outermost, then one
/// panel of B at a time, kept in L1 while every panel of rows goes through it.
///
/// # Safety
/// `out` must be the `a.rows × b.columns()` output of [`multiply`] (shapes checked there), and
/// no other thread may write these panels.
unsafe fn multiply_panels(
    a: &PackedRows,
    b: &PackedColumns,
    out: SharedOutput,
    epilogue: &Epilogue,
    row_panels: std::ops::Range<usize>,
    column_panels: std::ops::Range<usize>,
) {
    let columns = b.columns;
    for k0 in (0..a.depth).step_by(KC) {
        let depth = KC.min(a.depth - k0);
        for column_panel in column_panels.clone() {
            let first_column = column_panel * NR;
            for row_panel in row_panels.clone() {
                let first_row = row_panel * MR;
                let offset = first_row * columns + first_column;
                let tile = Tile {
                    depth,
                    a: a.panel(row_panel)[k0 * MR..].as_ptr(),
                    b: b.panel(column_panel)[k0 * NR..].as_ptr(),
                    c: out.at(offset),
                    ldc: columns,
                    rows: MR.min(a.rows - first_row),
                    columns: NR.min(columns - first_column),
                    first: k0 == 0,
                    bias: epilogue.bias[first_row..].as_ptr(),
                    last: k0 + depth == a.depth,
                    residual: epilogue.residual.map(|r| r[offset..].as_ptr()),
                    activation: epilogue.activation,
                };
                // SAFETY: the pointers cover `rows × depth` of A, `depth × columns` of B and
                // `rows × columns` of C and the residual, and the CPU has AVX-512 (checked by
                // `multiply`).
                unsafe { kernel::run(&tile) };
            }
        }
    }
}

/// The output pointer, shared by tasks that write disjoint tiles.
#[derive(Clone, Copy)]
struct SharedOutput(*mut f32);
// SAFETY: every task writes its own tiles only (see `multiply`).
unsafe impl Send for SharedOutput {}
unsafe impl Sync for SharedOutput {}

impl SharedOutput {
    fn at(self, offset: usize) -> *mut f32 {
        self.0.wrapping_add(offset)
    }
}

/// One call of the micro-kernel: a `rows × columns` tile of C over one depth block.
struct Tile {
    depth: usize,
    /// `depth` steps of `MR` values.
    a: *const f32,
    /// `depth` steps of `NR` values.
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    rows: usize,
    columns: usize,
    /// The first depth block starts from the bias; later ones from what C holds.
    first: bool,
    bias: *const f32,
    /// The last depth block adds the residual and applies the activation.
    last: bool,
    residual: Option<*const f32>,
    activation: Activation,
}

#[cfg(target_arch = "x86_64")]
mod kernel {
    use super::{Tile, MR, NR};
    use std::arch::x86_64::*;

    /// Runs the tile with the variant compiled for its exact size, so that edge tiles do no
    /// wasted multiplications on padding rows.
    ///
    /// # Safety
    /// The tile's pointers must be valid for its sizes and the CPU must have AVX-512F.
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

    #[target_feature(enable = "avx512f")]
    unsafe fn tile<const ROWS: usize, const VECTORS: usize>(t: &Tile) {
        let masks = column_masks(t.columns);
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
        let (mut a, mut b) = (t.a, t.b);
        for _ in 0..t.depth {
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
}

#[cfg(not(target_arch = "x86_64"))]
mod kernel {
    use super::Tile;

    /// Never called: [`super::available`] is false off x86-64.
    pub(super) unsafe fn run(_: &Tile) {
        unreachable!("the GEMM micro-kernel needs AVX-512")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect()
    }

    #[test]
    fn matches_the_textbook_product_on_every_edge() {
        if !available() {
            eprintln!("no AVX-512 on this CPU: the layers use candle's convolution");
            return;
        }
        // Rows, depths and columns off the panel and block sizes, on both sides of them.
        for (rows, depth, columns) in [(1, 1, 1), (13, 7, 17), (25, 300, 49), (12, 256, 32)] {
            let a = numbers(rows * depth, 1);
            let b = numbers(depth * columns, 2);
            let bias = numbers(rows, 3);
            let residual = numbers(rows * columns, 4);
            for activation in [Activation::None, Activation::Relu, Activation::Relu6] {
                let packed_a = PackedRows::new(&a, rows, depth);
                let packed_b = PackedColumns::new(Vec::new(), depth, columns, |k, first, out| {
                    out.copy_from_slice(&b[k * columns + first..][..out.len()])
                });
                let epilogue = Epilogue {
                    bias: &bias,
                    residual: Some(&residual),
                    activation,
                };
                let mut out = vec![MaybeUninit::new(f32::NAN); rows * columns];
                multiply(&packed_a, &packed_b, &mut out, &epilogue);
                for i in 0..rows {
                    for j in 0..columns {
                        let dot: f32 = (0..depth)
                            .map(|k| a[i * depth + k] * b[k * columns + j])
                            .sum();
                        let want =
                            activation.apply_scalar(dot + bias[i] + residual[i * columns + j]);
                        // SAFETY: initialised above (and written by `multiply`).
                        let got = unsafe { out[i * columns + j].assume_init() };
                        assert!(
                            (got - want).abs() < 1e-4,
                            "{rows}×{depth}×{columns} {activation:?} at ({i}, {j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
