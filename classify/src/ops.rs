//! The layers both networks are made of, in inference form: batch norm folded into the
//! convolution before it (one multiply-add per output instead of two passes), the activation and
//! residual connection fused, and kernels of our own for what dominates: dense convolutions as
//! one packed GEMM per batch (see [`crate::gemm`]; candle's convolution where the CPU lacks
//! AVX-512), and depthwise convolutions (one filter per channel), which candle would run as one
//! convolution per channel.
//!
//! Activations between layers are *channel-major*, `[channels, batch, height, width]`, not
//! candle's usual `[batch, channels, …]`: a dense convolution's output is then one
//! `out_channels × (batch·pixels)` matrix, so the whole batch is a single GEMM whose weights are
//! read once, and small late layers (7×7 pixels) are not padded up to a full panel per image.

use crate::depthwise;
use crate::gemm::{self, Epilogue, PackedRows};
use crate::im2col::{Im2col, Images};
use crate::weights::Weights;
use candle_core::{CpuStorage, CustomOp1, CustomOp2, Layout, Module, Shape, Tensor, D};
use rayon::prelude::*;

/// What follows a convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activation {
    None,
    Relu,
    Relu6,
}

impl Activation {
    pub(crate) fn apply_scalar(self, v: f32) -> f32 {
        match self {
            Activation::None => v,
            Activation::Relu => v.max(0.0),
            Activation::Relu6 => v.clamp(0.0, 6.0),
        }
    }

    /// The activation of sixteen values at once.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    pub(crate) fn apply_avx512(self, v: std::arch::x86_64::__m512) -> std::arch::x86_64::__m512 {
        use std::arch::x86_64::*;
        match self {
            Activation::None => v,
            Activation::Relu => _mm512_max_ps(v, _mm512_setzero_ps()),
            Activation::Relu6 => {
                _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(6.0))
            }
        }
    }

    fn apply(self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Activation::None => Ok(x.clone()),
            Activation::Relu => x.relu(),
            Activation::Relu6 => x.clamp(0f32, 6f32),
        }
    }
}

/// How a convolution pads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Padding {
    /// The same on every side (PyTorch's `padding=n`).
    Symmetric(usize),
    /// TensorFlow's "SAME": output size `ceil(input / stride)`, any odd pixel of padding at the
    /// bottom and right.
    Same,
}

impl Padding {
    /// (before, after) padding along one axis of `size` pixels.
    fn amounts(self, size: usize, kernel: usize, stride: usize) -> (usize, usize) {
        match self {
            Padding::Symmetric(p) => (p, p),
            Padding::Same => {
                let out = size.div_ceil(stride);
                let total = ((out - 1) * stride + kernel).saturating_sub(size);
                (total / 2, total - total / 2)
            }
        }
    }
}

/// A convolution with its batch norm folded in and its activation fused.
pub(crate) struct Conv {
    kernel: usize,
    stride: usize,
    padding: Padding,
    activation: Activation,
    method: Method,
}

/// How a convolution is computed.
enum Method {
    /// One filter per channel: our direct kernel, `weight` and `bias` as plain numbers.
    Depthwise { weight: Vec<f32>, bias: Vec<f32> },
    /// Dense, on a CPU with AVX-512: our packed GEMM (see [`crate::gemm`]).
    Gemm { weight: PackedRows, bias: Vec<f32> },
    /// Dense elsewhere: candle's convolution (1×1 as one matrix product).
    Candle {
        /// `[out, in / groups, k, k]`, contiguous.
        weight: Tensor,
        /// `[out]`
        bias: Tensor,
        groups: usize,
    },
}

/// A convolution's shape, as it appears in a network definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvSpec {
    pub stride: usize,
    pub padding: Padding,
    pub groups: usize,
    pub activation: Activation,
}

impl Conv {
    /// Loads `{conv}.weight` and folds the batch norm `{bn}.{weight,bias,running_mean,
    /// running_var}` into it: `w' = w·γ/√(σ²+ε)`, `b' = β − μ·γ/√(σ²+ε)`.
    pub fn with_batch_norm(
        weights: &Weights,
        conv: &str,
        bn: &str,
        eps: f64,
        spec: ConvSpec,
    ) -> crate::Result<Conv> {
        let weight = weights.get(&format!("{conv}.weight"))?;
        let gamma = weights.get(&format!("{bn}.weight"))?;
        let beta = weights.get(&format!("{bn}.bias"))?;
        let mean = weights.get(&format!("{bn}.running_mean"))?;
        let var = weights.get(&format!("{bn}.running_var"))?;
        let scale = gamma.broadcast_div(&(var + eps)?.sqrt()?)?;
        let bias = (beta - mean.mul(&scale)?)?;
        let weight = weight.broadcast_mul(&scale.reshape(((), 1, 1, 1))?)?;
        Conv::new(weight, bias, spec)
    }

    pub fn new(weight: Tensor, bias: Tensor, spec: ConvSpec) -> crate::Result<Conv> {
        Conv::with_method(weight, bias, spec, gemm::available())
    }

    /// `use_gemm` picks our GEMM for dense convolutions; tests use it to compare the two paths.
    fn with_method(
        weight: Tensor,
        bias: Tensor,
        spec: ConvSpec,
        use_gemm: bool,
    ) -> crate::Result<Conv> {
        let weight = weight.contiguous()?;
        let (out_channels, in_per_group, kernel, kernel_w) = weight.dims4()?;
        if kernel != kernel_w {
            return Err(
                candle_core::Error::Msg(format!("non-square kernel {kernel}x{kernel_w}")).into(),
            );
        }
        let method = if spec.groups == out_channels && in_per_group == 1 && spec.groups > 1 {
            Method::Depthwise {
                weight: weight.flatten_all()?.to_vec1::<f32>()?,
                bias: bias.to_vec1::<f32>()?,
            }
        } else if spec.groups == 1 && use_gemm {
            Method::Gemm {
                weight: PackedRows::new(
                    &weight.flatten_all()?.to_vec1::<f32>()?,
                    out_channels,
                    in_per_group * kernel * kernel,
                ),
                bias: bias.to_vec1::<f32>()?,
            }
        } else {
            Method::Candle {
                weight,
                bias,
                groups: spec.groups,
            }
        };
        Ok(Conv {
            kernel,
            stride: spec.stride,
            padding: spec.padding,
            activation: spec.activation,
            method,
        })
    }

    /// `activation(conv(x) + bias + residual)` of a channel-major `[channels, batch, h, w]`
    /// input, channel-major too: the residual connection is added before the activation, as
    /// ResNet's blocks want, and in the same pass when the GEMM runs.
    pub fn forward_with_residual(
        &self,
        x: &Tensor,
        residual: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let (_, _, height, width) = x.dims4()?;
        let (top, bottom) = self.padding.amounts(height, self.kernel, self.stride);
        let (left, right) = self.padding.amounts(width, self.kernel, self.stride);
        let geometry = Geometry {
            height,
            width,
            kernel: self.kernel,
            stride: self.stride,
            top,
            left,
            out_height: (height + top + bottom - self.kernel) / self.stride + 1,
            out_width: (width + left + right - self.kernel) / self.stride + 1,
        };
        let x = x.contiguous()?;
        match &self.method {
            Method::Depthwise { weight, bias } => {
                let op = Depthwise {
                    weight,
                    bias,
                    geometry,
                    activation: self.activation,
                };
                let y = x.apply_op1_no_bwd(&op)?;
                match residual {
                    Some(residual) => y + residual,
                    None => Ok(y),
                }
            }
            Method::Gemm { weight, bias } => {
                let op = GemmConv {
                    weight,
                    bias,
                    geometry,
                    activation: self.activation,
                };
                match residual {
                    Some(residual) => x.apply_op2_no_bwd(&residual.contiguous()?, &op),
                    None => x.apply_op1_no_bwd(&op),
                }
            }
            Method::Candle {
                weight,
                bias,
                groups,
            } => {
                // candle's convolution wants `[batch, channels, …]`.
                let x = x.transpose(0, 1)?.contiguous()?;
                let y = self.candle(&x, (weight, bias, *groups), (top, bottom, left, right))?;
                let y = y.transpose(0, 1)?.contiguous()?;
                let y = match residual {
                    Some(residual) => (y + residual)?,
                    None => y,
                };
                self.activation.apply(&y)
            }
        }
    }

    /// candle's convolution plus bias, before the activation, on `[batch, channels, h, w]`.
    fn candle(
        &self,
        x: &Tensor,
        (weight, bias, groups): (&Tensor, &Tensor, usize),
        (top, bottom, left, right): (usize, usize, usize, usize),
    ) -> candle_core::Result<Tensor> {
        let (batch, channels, height, width) = x.dims4()?;
        if self.kernel == 1 && self.stride == 1 && top + left == 0 {
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
            let x =
                x.pad_with_zeros(D::Minus2, top, bottom)?
                    .pad_with_zeros(D::Minus1, left, right)?;
            (x, 0)
        };
        x.conv2d(weight, padding, self.stride, 1, groups)?
            .broadcast_add(&bias.reshape((1, (), 1, 1))?)
    }
}

impl Module for Conv {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_with_residual(x, None)
    }
}

/// Where a convolution's kernel lands on its input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    /// The input plane.
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    /// Padding before the first row and column (any after is implied by the output size).
    pub top: usize,
    pub left: usize,
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
/// bias and activation included; one task per plane (see [`crate::depthwise`]).
struct Depthwise<'a> {
    weight: &'a [f32],
    bias: &'a [f32],
    geometry: Geometry,
    activation: Activation,
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
                    &g,
                    scratch,
                );
            });
        Ok((
            CpuStorage::F32(output),
            Shape::from((channels, batch, oh, ow)),
        ))
    }
}

/// A fully connected layer: `x · wᵀ + b`.
pub(crate) struct Linear {
    weight_t: Tensor,
    bias: Tensor,
}

impl Linear {
    pub fn load(weights: &Weights, name: &str) -> crate::Result<Linear> {
        Ok(Linear {
            weight_t: weights.get(&format!("{name}.weight"))?.t()?.contiguous()?,
            bias: weights.get(&format!("{name}.bias"))?,
        })
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_t)?.broadcast_add(&self.bias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn random(shape: &[usize], seed: u64) -> Tensor {
        let n: usize = shape.iter().product();
        let mut state = seed;
        let values: Vec<f32> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect();
        Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
    }

    /// The reference: candle's own grouped convolution on explicitly padded input.
    fn reference(
        x: &Tensor,
        w: &Tensor,
        b: &Tensor,
        stride: usize,
        pad: (usize, usize, usize, usize),
        groups: usize,
    ) -> Tensor {
        let x = x
            .pad_with_zeros(2, pad.0, pad.1)
            .unwrap()
            .pad_with_zeros(3, pad.2, pad.3)
            .unwrap();
        x.conv2d(w, 0, stride, 1, groups)
            .unwrap()
            .broadcast_add(&b.reshape((1, (), 1, 1)).unwrap())
            .unwrap()
    }

    /// `[batch, channels, h, w]` to the layers' `[channels, batch, h, w]`, and back.
    fn swap_batch_and_channels(x: &Tensor) -> Tensor {
        x.transpose(0, 1).unwrap().contiguous().unwrap()
    }

    fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar()
            .unwrap()
    }

    #[test]
    fn depthwise_and_pointwise_kernels_match_candles_convolution() {
        for (kernel, stride, size) in [(3, 1, 9), (3, 2, 10), (5, 2, 11), (5, 1, 7), (3, 2, 1)] {
            let channels = 6;
            let x = random(&[2, channels, size, size + 1], 1);
            let w = random(&[channels, 1, kernel, kernel], 2);
            let b = random(&[channels], 3);
            let spec = ConvSpec {
                stride,
                padding: Padding::Same,
                groups: channels,
                activation: Activation::None,
            };
            let conv = Conv::new(w.clone(), b.clone(), spec).unwrap();
            assert!(matches!(conv.method, Method::Depthwise { .. }));
            let got = swap_batch_and_channels(&conv.forward(&swap_batch_and_channels(&x)).unwrap());
            let (t, bo) = Padding::Same.amounts(size, kernel, stride);
            let (l, r) = Padding::Same.amounts(size + 1, kernel, stride);
            let want = reference(&x, &w, &b, stride, (t, bo, l, r), channels);
            assert_eq!(got.dims(), want.dims());
            assert!(max_diff(&got, &want) < 1e-5, "k{kernel} s{stride} n{size}");
        }
        let x = random(&[2, 8, 5, 4], 4);
        let w = random(&[12, 8, 1, 1], 5);
        let b = random(&[12], 6);
        let spec = ConvSpec {
            stride: 1,
            padding: Padding::Symmetric(0),
            groups: 1,
            activation: Activation::Relu6,
        };
        let got = Conv::new(w.clone(), b.clone(), spec)
            .unwrap()
            .forward(&swap_batch_and_channels(&x))
            .unwrap();
        let got = swap_batch_and_channels(&got);
        let want = reference(&x, &w, &b, 1, (0, 0, 0, 0), 1)
            .clamp(0f32, 6f32)
            .unwrap();
        assert!(max_diff(&got, &want) < 1e-5);
    }

    #[test]
    fn gemm_convolutions_match_candles() {
        if !gemm::available() {
            eprintln!("no AVX-512 on this CPU: the layers use candle's convolution");
            return;
        }
        let symmetric = Padding::Symmetric;
        // (in, out, kernel, stride, padding, size): ResNet's stem, 3×3 and strided 1×1 shapes,
        // EfficientNet's SAME stem, and sizes off the GEMM's panel sizes.
        let cases = [
            (3, 16, 7, 2, symmetric(3), 23),
            (8, 13, 3, 1, symmetric(1), 9),
            (8, 25, 3, 2, symmetric(1), 14),
            (30, 20, 1, 2, symmetric(0), 7),
            (300, 12, 1, 1, symmetric(0), 5),
            (3, 32, 3, 2, Padding::Same, 16),
            // Output rows longer than a panel and than a vector.
            (4, 8, 3, 1, symmetric(1), 40),
            (4, 8, 3, 2, symmetric(1), 75),
        ];
        for (seed, (inputs, outputs, kernel, stride, padding, size)) in
            cases.into_iter().enumerate()
        {
            let seed = seed as u64 * 10;
            let batch_major = random(&[3, inputs, size, size + 1], seed);
            let x = swap_batch_and_channels(&batch_major);
            let w = random(&[outputs, inputs, kernel, kernel], seed + 1);
            let b = random(&[outputs], seed + 2);
            let spec = ConvSpec {
                stride,
                padding,
                groups: 1,
                activation: Activation::Relu,
            };
            let ours = Conv::with_method(w.clone(), b.clone(), spec, true).unwrap();
            let candles = Conv::with_method(w.clone(), b.clone(), spec, false).unwrap();
            assert!(matches!(ours.method, Method::Gemm { .. }));
            let want = candles.forward(&x).unwrap();
            let case = format!("{inputs}→{outputs} k{kernel} s{stride} {padding:?} n{size}");
            // The fallback itself, through its layout changes, against candle's convolution.
            let (t, bo) = padding.amounts(size, kernel, stride);
            let (l, r) = padding.amounts(size + 1, kernel, stride);
            let reference = reference(&batch_major, &w, &b, stride, (t, bo, l, r), 1)
                .relu()
                .unwrap();
            assert!(
                max_diff(&swap_batch_and_channels(&want), &reference) < 1e-4,
                "{case} fallback"
            );
            assert_eq!(ours.forward(&x).unwrap().dims(), want.dims());
            assert!(max_diff(&ours.forward(&x).unwrap(), &want) < 1e-4, "{case}");
            let residual = random(want.dims(), seed + 3);
            let with_residual =
                |conv: &Conv| conv.forward_with_residual(&x, Some(&residual)).unwrap();
            assert!(
                max_diff(&with_residual(&ours), &with_residual(&candles)) < 1e-4,
                "{case} + residual"
            );
        }
    }

    #[test]
    fn same_padding_puts_the_odd_pixel_after() {
        assert_eq!(Padding::Same.amounts(224, 3, 2), (0, 1));
        assert_eq!(Padding::Same.amounts(112, 3, 1), (1, 1));
        assert_eq!(Padding::Same.amounts(28, 5, 2), (1, 2));
        assert_eq!(Padding::Symmetric(3).amounts(224, 7, 2), (3, 3));
    }
}
