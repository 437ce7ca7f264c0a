//! The matrix product every dense convolution becomes: `C = activation(A·B + bias + residual)`,
//! with `A` the layer's weights (`out_channels × in_channels·k·k`, packed once at load) and `B`
//! the batch's columns (`in_channels·k·k × pixels of every image`), which each task packs for
//! itself a block at a time straight from the input (see [`Columns`] and `super::im2col`), so
//! no im2col matrix is ever written out to memory.
//!
//! It is the classic blocked GEMM (Goto and van de Geijn): both operands are packed into thin
//! panels that the micro-kernel streams through, a tile of `C` lives in registers for a whole
//! depth block, and bias, residual and activation are applied to the tile while it is still in
//! registers. The packing, blocking and threading here are shared; only the micro-kernel and
//! its tile size belong to an instruction set ([`avx512`]: 12×32, [`avx2`]: 6×16, [`portable`]:
//! 6×8 or 4×16 in plain Rust the compiler vectorises).

mod avx2;
mod avx512;
mod portable;

pub(crate) use super::path::Isa;
use crate::layers::Activation;
use rayon::prelude::*;
use std::mem::MaybeUninit;

/// Depth per block: one panel of `B` (32 KB at the widest tile) and one of `A` (12 KB) fit a
/// 48 KB L1 together.
const KC: usize = 256;
/// Panels of rows that meet a block of packed columns together: 16 × 12 rows × 256 depth is
/// 192 KB of `A` at the widest tile.
const ROW_CHUNK: usize = 16;
/// Panels of columns per task, at most: 4 × 32 columns × 256 depth is a 128 KB packed block at
/// the widest tile.
const BLOCK_PANELS: usize = 4;

/// The left operand, packed into panels of `MR` rows (the tile height of its instruction set)
/// stored depth-major, padded with zeros, and ordered by depth block first: everything a depth
/// block needs is one contiguous run, which a task streams through once (the prefetchers
/// follow it).
pub(crate) struct PackedRows {
    isa: Isa,
    /// Rows per panel: the micro-kernel's tile height.
    mr: usize,
    rows: usize,
    depth: usize,
    data: Vec<f32>,
}

impl PackedRows {
    /// Packs a row-major `rows × depth` matrix for the micro-kernel of `isa`.
    pub fn new(matrix: &[f32], rows: usize, depth: usize, isa: Isa) -> PackedRows {
        assert_eq!(matrix.len(), rows * depth, "matrix is not {rows}×{depth}");
        let mr = tile_size(isa).0;
        let padded_rows = rows.div_ceil(mr) * mr;
        let mut packed = PackedRows {
            isa,
            mr,
            rows,
            depth,
            data: vec![0f32; padded_rows * depth],
        };
        for k0 in (0..depth).step_by(KC) {
            let block_depth = KC.min(depth - k0);
            for row in 0..rows {
                let offset = packed.offset(row / mr, k0) + row % mr;
                for k in 0..block_depth {
                    packed.data[offset + k * mr] = matrix[row * depth + k0 + k];
                }
            }
        }
        packed
    }

    /// The instruction set whose micro-kernel these rows were packed for.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Where panel `panel`'s depth block starting at `k0` (a multiple of [`KC`]) starts: every
    /// block before it is [`KC`] deep.
    fn offset(&self, panel: usize, k0: usize) -> usize {
        let block_depth = KC.min(self.depth - k0);
        k0 * self.rows.div_ceil(self.mr) * self.mr + panel * block_depth * self.mr
    }

    /// Panel `panel`'s depth block starting at `k0`.
    fn block(&self, panel: usize, k0: usize) -> &[f32] {
        &self.data[self.offset(panel, k0)..][..KC.min(self.depth - k0) * self.mr]
    }
}

/// The micro-kernel's tile of `C` for `isa`: (rows, columns).
fn tile_size(isa: Isa) -> (usize, usize) {
    match isa {
        Isa::Avx512 => (avx512::MR, avx512::NR),
        Isa::Avx2 => (avx2::MR, avx2::NR),
        Isa::Portable => (portable::MR, portable::NR),
    }
}

/// The right operand, `depth × columns`, packed by the product itself a block at a time (see
/// [`multiply`]) so that each block is used while it is still in L2.
pub(crate) trait Columns: Sync {
    fn depth(&self) -> usize;

    fn columns(&self) -> usize;

    /// Packs rows `k0..k0 + depth` of columns `first..first + width` into `panels`: one panel
    /// per `NR` columns, each `depth` rows of `NR` values. Values past `width` in the last
    /// panel may be left as they are: they only reach outputs that are never stored.
    fn pack<const NR: usize>(
        &self,
        k0: usize,
        depth: usize,
        first: usize,
        width: usize,
        panels: &mut [f32],
    );
}

/// A row-major `depth × columns` matrix.
pub(crate) struct Matrix<'a> {
    pub data: &'a [f32],
    pub depth: usize,
    pub columns: usize,
}

impl Columns for Matrix<'_> {
    fn depth(&self) -> usize {
        self.depth
    }

    fn columns(&self) -> usize {
        self.columns
    }

    fn pack<const NR: usize>(
        &self,
        k0: usize,
        depth: usize,
        first: usize,
        width: usize,
        panels: &mut [f32],
    ) {
        // Row by row, so that each row of the block is one sequential read the prefetchers
        // follow, not NR-wide pieces a page apart.
        for k in 0..depth {
            let source = &self.data[(k0 + k) * self.columns + first..][..width];
            let (whole, rest) = source.as_chunks::<NR>();
            // Fixed-size copies compile to a few vector moves, not a call to memcpy.
            for (panel, values) in whole.iter().enumerate() {
                panels[(panel * depth + k) * NR..][..NR].copy_from_slice(values);
            }
            if !rest.is_empty() {
                panels[(whole.len() * depth + k) * NR..][..rest.len()].copy_from_slice(rest);
            }
        }
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

/// `out = activation(a·b + bias + residual)`, `out` row-major `a.rows() × b.columns()`. Every
/// element of `out` is written, so it need not be initialised.
///
/// The columns are cut into blocks of up to [`BLOCK_PANELS`] panels, the rows into as few
/// groups as keep every thread busy, and each task packs its block of `b`, a depth block at a
/// time, into a buffer of its own: packed columns are used straight from L2, and are never
/// written out to memory and read back.
///
/// Panics if the shapes disagree or the CPU lacks the instructions `a` was packed for (see
/// [`super::KernelPath::supported`]).
pub(crate) fn multiply(
    a: &PackedRows,
    b: &impl Columns,
    out: &mut [MaybeUninit<f32>],
    epilogue: &Epilogue,
) {
    assert!(
        a.isa.path().supported(),
        "this CPU lacks the instructions of the {} micro-kernel",
        a.isa.path()
    );
    match a.isa {
        Isa::Avx512 => {
            multiply_with::<{ avx512::MR }, { avx512::NR }>(a, b, out, epilogue, avx512::run)
        }
        Isa::Avx2 => multiply_with::<{ avx2::MR }, { avx2::NR }>(a, b, out, epilogue, avx2::run),
        Isa::Portable => {
            multiply_with::<{ portable::MR }, { portable::NR }>(a, b, out, epilogue, portable::run)
        }
    }
}

/// A micro-kernel: one [`Tile`] of at most `MR × NR`.
///
/// # Safety
/// The tile's pointers must be valid for its sizes and the CPU must have the kernel's
/// instructions.
type MicroKernel = unsafe fn(&Tile);

/// [`multiply`] with the micro-kernel `kernel` of `MR × NR` tiles.
fn multiply_with<const MR: usize, const NR: usize>(
    a: &PackedRows,
    b: &impl Columns,
    out: &mut [MaybeUninit<f32>],
    epilogue: &Epilogue,
    kernel: MicroKernel,
) {
    assert_eq!(a.mr, MR, "the rows were packed for another micro-kernel");
    let columns = b.columns();
    assert_eq!(a.depth, b.depth(), "inner dimensions differ");
    assert_eq!(out.len(), a.rows * columns, "output is not rows×columns");
    assert_eq!(epilogue.bias.len(), a.rows, "one bias per row");
    if let Some(residual) = epilogue.residual {
        assert_eq!(
            residual.len(),
            out.len(),
            "residual is not shaped like the output"
        );
    }
    if out.is_empty() {
        return;
    }
    let threads = rayon::current_num_threads();
    let row_panels = a.rows.div_ceil(MR);
    let column_panels = columns.div_ceil(NR);
    // Blocks of columns, as many as a multiple of the threads so that they share them evenly.
    let column_blocks = column_panels
        .div_ceil(BLOCK_PANELS)
        .next_multiple_of(threads)
        .min(column_panels);
    // Few columns (a small late layer of one image): the rows are split too, each group
    // packing the same columns for itself.
    let row_groups = (2 * threads).div_ceil(column_blocks).min(row_panels);
    let out = SharedOutput(out.as_mut_ptr().cast::<f32>());
    (0..row_groups * column_blocks)
        .into_par_iter()
        .for_each_init(Vec::new, |buffer, task| {
            let (group, block) = (task / column_blocks, task % column_blocks);
            let rows = even_share(row_panels, row_groups, group);
            let panels = even_share(column_panels, column_blocks, block);
            let task = Task {
                rows,
                panels,
                kernel,
            };
            // SAFETY: tasks cover disjoint panels of `out`.
            unsafe { multiply_block::<MR, NR>(a, b, out, epilogue, task, buffer) };
        });
}

/// Part `index` of `0..total` cut into `parts` nearly equal ranges.
fn even_share(total: usize, parts: usize, index: usize) -> std::ops::Range<usize> {
    index * total / parts..(index + 1) * total / parts
}

/// The product for the given panels of rows and columns: a depth block of the columns is
/// packed into `buffer`, then each of its panels stays in L1 while every panel of rows goes
/// through it.
///
/// # Safety
/// `out` must be the output of [`multiply`] (shapes checked there), and no other thread may
/// write these panels.
unsafe fn multiply_block<const MR: usize, const NR: usize>(
    a: &PackedRows,
    b: &impl Columns,
    out: SharedOutput,
    epilogue: &Epilogue,
    task: Task,
    buffer: &mut Vec<f32>,
) {
    let (row_panels, column_panels) = (task.rows, task.panels);
    let columns = b.columns();
    let first_column = column_panels.start * NR;
    let width = (column_panels.end * NR).min(columns) - first_column;
    let block_panels = column_panels.len();
    // The packed panels start on a cache line, so that no load of B straddles two.
    const LINE: usize = 64 / std::mem::size_of::<f32>();
    if buffer.len() < block_panels * KC * NR + LINE {
        buffer.resize(block_panels * KC * NR + LINE, 0.0);
    }
    let aligned = buffer.as_ptr().align_offset(64).min(LINE);
    let buffer = &mut buffer[aligned..];
    for k0 in (0..a.depth).step_by(KC) {
        let depth = KC.min(a.depth - k0);
        let packed = &mut buffer[..block_panels * depth * NR];
        b.pack::<NR>(k0, depth, first_column, width, packed);
        // A chunk of rows' depth block (192 KB) stays in L2 while every packed panel of
        // columns meets it, each panel in L1 while the chunk's rows go through it.
        for row_chunk in row_panels.clone().step_by(ROW_CHUNK) {
            let row_chunk = row_chunk..(row_chunk + ROW_CHUNK).min(row_panels.end);
            for (index, packed_panel) in packed.chunks_exact(depth * NR).enumerate() {
                let first_column = first_column + index * NR;
                for row_panel in row_chunk.clone() {
                    let first_row = row_panel * MR;
                    let offset = first_row * columns + first_column;
                    let tile = Tile {
                        depth,
                        a: a.block(row_panel, k0).as_ptr(),
                        b: packed_panel.as_ptr(),
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
                    // `rows × columns` of C and the residual, and the CPU has the kernel's
                    // instructions (checked by `multiply`).
                    unsafe { (task.kernel)(&tile) };
                }
            }
        }
    }
}

/// What one task computes: its panels of rows and of columns, with which micro-kernel.
struct Task {
    rows: std::ops::Range<usize>,
    panels: std::ops::Range<usize>,
    kernel: MicroKernel,
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
    /// `depth` steps of the kernel's `MR` values.
    a: *const f32,
    /// `depth` steps of the kernel's `NR` values.
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

#[cfg(test)]
mod tests;
