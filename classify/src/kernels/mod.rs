//! How a convolution is computed, chosen once per layer when the network is built: kernels of
//! our own for what dominates inference, dense convolutions as one packed GEMM per batch (see
//! [`gemm`]) and depthwise convolutions (one filter per channel, see [`depthwise`]), which
//! candle would run as one convolution per channel; or candle's own convolutions, the
//! reference. Which instruction set our kernels use is the model's [`KernelPath`]. Each kernel
//! is a candle custom op, so the networks stay plain candle code.
//!
//! Activations between layers are *channel-major*, `[channels, batch, height, width]`, not
//! candle's usual `[batch, channels, …]`: a dense convolution's output is then one
//! `out_channels × (batch·pixels)` matrix, so the whole batch is a single GEMM whose weights are
//! read once, and small late layers (7×7 pixels) are not padded up to a full panel per image.

mod depthwise;
pub(crate) mod gemm;
mod im2col;
mod path;

pub use path::{KernelPath, KernelPathError, KERNELS_VARIABLE};

use crate::layers::Activation;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Shape, Tensor, D};
use gemm::{Epilogue, PackedRows};
use im2col::{Im2col, Images};
use path::Isa;
use rayon::prelude::*;

/// Where a convolution's kernel lands on its input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    /// The input plane.
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    /// Padding before the first row and column.
    pub top: usize,
    pub left: usize,
    /// Padding after the last row and column, as the layer asks for it. Our kernels only read
    /// what the output size implies; candle's convolution takes it as given.
    pub bottom: usize,
    pub right: usize,
    pub out_height: usize,
    pub out_width: usize,
}

impl Geometry {
    /// The input row (or column) under kernel offset `k` for output row `o`, if inside the
    /// image of `size` pixels.
    pub(crate) fn source(
        o: usize,
        k: usize,
        stride: usize,
        before: usize,
        size: usize,
    ) -> Option<usize> {
        (o * stride + k).checked_sub(before).filter(|&i| i < size)
    }
}

/// A convolution's weights, in the form the kernel chosen for them reads: only that form is
/// kept, so a loaded model holds each weight once.
pub(crate) enum ConvKernel {
    /// One filter per channel: our direct kernel, `weight` and `bias` as plain numbers.
    Depthwise {
        weight: Vec<f32>,
        bias: Vec<f32>,
        isa: Isa,
    },
    /// Dense: our packed GEMM (see [`gemm`]), on the instruction set it was packed for.
    Gemm { weight: PackedRows, bias: Vec<f32> },
    /// candle's convolution (1×1 as one matrix product).
    Candle {
        /// `[out, in / groups, k, k]`, contiguous.
        weight: Tensor,
        /// `[out]`
        bias: Tensor,
        groups: usize,
    },
}

impl ConvKernel {
    /// The kernel of `path` for a `[out, in / groups, k, k]` weight: depthwise when every
    /// channel has its own filter, else our GEMM; candle's convolution on candle's path and
    /// for grouped convolutions.
    pub fn new(
        weight: Tensor,
        bias: Tensor,
        groups: usize,
        path: KernelPath,
    ) -> candle_core::Result<ConvKernel> {
        let weight = weight.contiguous()?;
        let (out_channels, in_per_group, kernel, kernel_w) = weight.dims4()?;
        if kernel != kernel_w {
            return Err(candle_core::Error::Msg(format!(
                "non-square kernel {kernel}x{kernel_w}"
            )));
        }
        let depthwise = groups == out_channels && in_per_group == 1 && groups > 1;
        Ok(match path.isa() {
            Some(isa) if depthwise => ConvKernel::Depthwise {
                weight: weight.flatten_all()?.to_vec1::<f32>()?,
                bias: bias.to_vec1::<f32>()?,
                isa,
            },
            Some(isa) if groups == 1 => {
                let depth = in_per_group * kernel * kernel;
                ConvKernel::Gemm {
                    weight: with_values(&weight, |values| {
                        PackedRows::new(values, out_channels, depth, isa)
                    })?,
                    bias: bias.to_vec1::<f32>()?,
                }
            }
            _ => ConvKernel::Candle {
                weight,
                bias,
                groups,
            },
        })
    }

    /// `activation(conv(x) + bias + residual)` of a channel-major `[channels, batch, h, w]`
    /// input shaped as `geometry` says, channel-major too.
    pub fn forward(
        &self,
        x: &Tensor,
        geometry: Geometry,
        activation: Activation,
        residual: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let x = x.contiguous()?;
        match self {
            ConvKernel::Depthwise { weight, bias, isa } => {
                let op = Depthwise {
                    weight,
                    bias,
                    geometry,
                    activation,
                    isa: *isa,
                };
                let y = x.apply_op1_no_bwd(&op)?;
                match residual {
                    Some(residual) => y + residual,
                    None => Ok(y),
                }
            }
            ConvKernel::Gemm { weight, bias } => {
                let op = GemmConv {
                    weight,
                    bias,
                    geometry,
                    activation,
                };
                match residual {
                    Some(residual) => x.apply_op2_no_bwd(&residual.contiguous()?, &op),
                    None => x.apply_op1_no_bwd(&op),
                }
            }
            ConvKernel::Candle {
                weight,
                bias,
                groups,
            } => {
                // candle's convolution wants `[batch, channels, …]`.
                let x = x.transpose(0, 1)?.contiguous()?;
                let y = candle_convolution(&x, (weight, bias, *groups), &geometry)?;
                let y = y.transpose(0, 1)?.contiguous()?;
                let y = match residual {
                    Some(residual) => (y + residual)?,
                    None => y,
                };
                activation.apply(&y)
            }
        }
    }
}

/// candle's convolution plus bias, before the activation, on `[batch, channels, h, w]`.
fn candle_convolution(
    x: &Tensor,
    (weight, bias, groups): (&Tensor, &Tensor, usize),
    g: &Geometry,
) -> candle_core::Result<Tensor> {
    let (batch, channels, height, width) = x.dims4()?;
    let (top, bottom, left, right) = (g.top, g.bottom, g.left, g.right);
    if g.kernel == 1 && g.stride == 1 && top + left == 0 {
        // 1×1: [out, in] × [batch, in, h·w], one GEMM per image.
        let out_channels = weight.dim(0)?;
        let w = weight.reshape((out_channels, channels))?;
        return w
            .broadcast_matmul(&x.reshape((batch, channels, height * width))?)?
            .broadcast_add(&bias.reshape((out_channels, 1))?)?
            .reshape((batch, out_channels, height, width));
    }
    let (x, padding) = if top == bottom && left == right && top == left {
        // candle pads symmetric convolutions itself.
        (x.clone(), top)
    } else {
        let x = x
            .pad_with_zeros(D::Minus2, top, bottom)?
            .pad_with_zeros(D::Minus1, left, right)?;
        (x, 0)
    };
    x.conv2d(weight, padding, g.stride, 1, groups)?
        .broadcast_add(&bias.reshape((1, (), 1, 1))?)
}

/// `f` of the values of a contiguous f32 CPU tensor, read in place: packing a layer's weights
/// needs no third copy of them.
fn with_values<R>(tensor: &Tensor, f: impl FnOnce(&[f32]) -> R) -> candle_core::Result<R> {
    let (storage, layout) = tensor.storage_and_layout();
    match &*storage {
        candle_core::Storage::Cpu(cpu) => Ok(f(contiguous_f32(cpu, layout)?)),
        _ => Err(candle_core::Error::Msg("weights are not on the CPU".into())),
    }
}

/// The contiguous f32 data of a CPU tensor.
fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout) -> candle_core::Result<&'a [f32]> {
    let (start, end) = layout
        .contiguous_offsets()
        .ok_or_else(|| candle_core::Error::Msg("convolution input not contiguous".into()))?;
    Ok(&storage.as_slice::<f32>()?[start..end])
}

/// A dense convolution of a contiguous channel-major `[channels, batch, h, w]` f32 tensor as
/// one packed GEMM for the whole batch, bias, residual and activation included.
struct GemmConv<'a> {
    weight: &'a PackedRows,
    bias: &'a [f32],
    geometry: Geometry,
    activation: Activation,
}

impl GemmConv<'_> {
    fn run(
        &self,
        input: &[f32],
        (channels, batch, height, width): (usize, usize, usize, usize),
        residual: Option<&[f32]>,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let g = self.geometry;
        let k = g.kernel;
        if self.weight.depth() != channels * k * k {
            return Err(candle_core::Error::Msg(format!(
                "convolution expects {} input values per pixel, got {channels}×{k}×{k}",
                self.weight.depth()
            )));
        }
        let out_channels = self.weight.rows();
        // The product's columns: every output pixel of every image.
        let pixels = batch * g.out_height * g.out_width;
        let out_shape = Shape::from((out_channels, batch, g.out_height, g.out_width));
        if residual.is_some_and(|r| r.len() != out_shape.elem_count()) {
            return Err(candle_core::Error::Msg(
                "residual is not shaped like the convolution's output".into(),
            ));
        }
        let pointwise = k == 1 && g.stride == 1 && g.top + g.left == 0;
        let epilogue = Epilogue {
            bias: self.bias,
            residual,
            activation: self.activation,
        };
        let mut output = Vec::with_capacity(out_shape.elem_count());
        let out = &mut output.spare_capacity_mut()[..out_shape.elem_count()];
        if pointwise {
            // A 1×1 convolution's columns are the input itself, a `channels × pixels` matrix.
            let matrix = gemm::Matrix {
                data: input,
                depth: channels,
                columns: pixels,
            };
            gemm::multiply(self.weight, &matrix, out, &epilogue);
        } else {
            let im2col = Im2col {
                images: Images {
                    data: input,
                    channels,
                    batch,
                    height,
                    width,
                },
                geometry: g,
                isa: self.weight.isa(),
            };
            gemm::multiply(self.weight, &im2col, out, &epilogue);
        }
        // SAFETY: `multiply` wrote every element.
        unsafe { output.set_len(out_shape.elem_count()) };
        Ok((CpuStorage::F32(output), out_shape))
    }
}

impl CustomOp1 for GemmConv<'_> {
    fn name(&self) -> &'static str {
        "gemm-conv2d"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = contiguous_f32(storage, layout)?;
        self.run(input, layout.shape().dims4()?, None)
    }
}

/// The same convolution with a residual added before the activation.
impl CustomOp2 for GemmConv<'_> {
    fn name(&self) -> &'static str {
        "gemm-conv2d-residual"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
        residual: &CpuStorage,
        residual_layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = contiguous_f32(storage, layout)?;
        let residual = contiguous_f32(residual, residual_layout)?;
        self.run(input, layout.shape().dims4()?, Some(residual))
    }
}

/// Depthwise convolution of a contiguous channel-major `[channels, batch, h, w]` f32 tensor,
/// bias and activation included; one task per plane (see [`depthwise`]).
struct Depthwise<'a> {
    weight: &'a [f32],
    bias: &'a [f32],
    geometry: Geometry,
    activation: Activation,
    isa: Isa,
}

impl CustomOp1 for Depthwise<'_> {
    fn name(&self) -> &'static str {
        "depthwise-conv2d"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = contiguous_f32(storage, layout)?;
        let (channels, batch, height, width) = layout.shape().dims4()?;
        let g = self.geometry;
        let (k, oh, ow) = (g.kernel, g.out_height, g.out_width);
        if (height, width) != (g.height, g.width) {
            return Err(candle_core::Error::Msg(
                "depthwise input is not the size its geometry was made for".into(),
            ));
        }
        let mut output = vec![0f32; batch * channels * oh * ow];
        output
            .par_chunks_mut(oh * ow)
            .zip(input.par_chunks(height * width))
            .enumerate()
            .for_each_init(Vec::new, |scratch, (index, (out, inp))| {
                let c = index / batch;
                let weight = &self.weight[c * k * k..(c + 1) * k * k];
                depthwise::convolve_plane(
                    inp,
                    out,
                    weight,
                    self.bias[c],
                    self.activation,
                    (&g, self.isa),
                    scratch,
                );
            });
        Ok((
            CpuStorage::F32(output),
            Shape::from((channels, batch, oh, ow)),
        ))
    }
}
