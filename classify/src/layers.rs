//! The layers both networks are made of, in inference form: batch norm folded into the
//! convolution before it as the layer is loaded (one multiply-add per output instead of two
//! passes), the activation and residual connection fused into the convolution's kernel (see
//! [`crate::kernels`]).
//!
//! Layers load their weights from a [`VarBuilder`] already placed at their name
//! (`vb.pp("layer1").pp(0)`), checking each tensor's shape, and keep only what their kernel
//! reads.

use crate::kernels::{ConvKernel, Geometry, KernelPath};
use candle_core::{Module, Tensor};
use candle_nn::VarBuilder;

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

    /// The activation of eight values at once.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    pub(crate) fn apply_avx2(self, v: std::arch::x86_64::__m256) -> std::arch::x86_64::__m256 {
        use std::arch::x86_64::*;
        match self {
            Activation::None => v,
            Activation::Relu => _mm256_max_ps(v, _mm256_setzero_ps()),
            Activation::Relu6 => {
                _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.0))
            }
        }
    }

    pub(crate) fn apply(self, x: &Tensor) -> candle_core::Result<Tensor> {
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

/// A convolution's shape, as it appears in a network definition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvSpec {
    pub in_channels: usize,
    pub out_channels: usize,
    /// The side of the square kernel.
    pub kernel: usize,
    pub stride: usize,
    pub padding: Padding,
    pub groups: usize,
    pub activation: Activation,
}

impl ConvSpec {
    /// The shape of the weight: `[out, in / groups, k, k]`.
    fn weight_shape(&self) -> (usize, usize, usize, usize) {
        let k = self.kernel;
        (self.out_channels, self.in_channels / self.groups, k, k)
    }
}

/// A convolution with its batch norm folded in and its activation fused.
pub(crate) struct Conv {
    spec: ConvSpec,
    kernel: ConvKernel,
}

impl Conv {
    /// Loads the convolution's `weight` from `conv` and folds the batch norm at `bn`
    /// (`weight`, `bias`, `running_mean`, `running_var`) into it:
    /// `w' = w·γ/√(σ²+ε)`, `b' = β − μ·γ/√(σ²+ε)`. Its kernel is `path`'s.
    pub fn with_batch_norm(
        (conv, bn): (VarBuilder, VarBuilder),
        eps: f64,
        spec: ConvSpec,
        path: KernelPath,
    ) -> candle_core::Result<Conv> {
        let channels = spec.out_channels;
        let gamma = bn.get(channels, "weight")?;
        let beta = bn.get(channels, "bias")?;
        let mean = bn.get(channels, "running_mean")?;
        let var = bn.get(channels, "running_var")?;
        let scale = gamma.broadcast_div(&(var + eps)?.sqrt()?)?;
        let bias = (beta - mean.mul(&scale)?)?;
        // One statement, so the weight as read is freed as soon as it is folded: loading keeps
        // no more copies of a layer's weight at once than it must.
        let weight = conv
            .get(spec.weight_shape(), "weight")?
            .broadcast_mul(&scale.reshape(((), 1, 1, 1))?)?;
        Conv::new(weight, bias, spec, path)
    }

    /// A convolution of `weight` (`[out, in / groups, k, k]`) plus `bias` (`[out]`), run by
    /// `path`'s kernel.
    pub fn new(
        weight: Tensor,
        bias: Tensor,
        spec: ConvSpec,
        path: KernelPath,
    ) -> candle_core::Result<Conv> {
        Conv::check(&weight, &spec)?;
        Ok(Conv {
            kernel: ConvKernel::new(weight, bias, spec.groups, path)?,
            spec,
        })
    }

    fn check(weight: &Tensor, spec: &ConvSpec) -> candle_core::Result<()> {
        let want = spec.weight_shape();
        if weight.dims4()? != want {
            return Err(candle_core::Error::Msg(format!(
                "convolution weight is {:?}, not {want:?}",
                weight.dims()
            )));
        }
        Ok(())
    }

    /// `activation(conv(x) + bias + residual)` of a channel-major `[channels, batch, h, w]`
    /// input, channel-major too: the residual connection is added before the activation, as
    /// ResNet's blocks want, and in the same pass when the GEMM runs.
    pub fn forward_with_residual(
        &self,
        x: &Tensor,
        residual: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let ConvSpec {
            kernel,
            stride,
            padding,
            activation,
            ..
        } = self.spec;
        let (_, _, height, width) = x.dims4()?;
        let (top, bottom) = padding.amounts(height, kernel, stride);
        let (left, right) = padding.amounts(width, kernel, stride);
        let geometry = Geometry {
            height,
            width,
            kernel,
            stride,
            top,
            left,
            bottom,
            right,
            out_height: (height + top + bottom - kernel) / stride + 1,
            out_width: (width + left + right - kernel) / stride + 1,
        };
        self.kernel.forward(x, geometry, activation, residual)
    }
}

impl Module for Conv {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_with_residual(x, None)
    }
}

/// A fully connected layer: `x · wᵀ + b`.
pub(crate) struct Linear {
    weight_t: Tensor,
    bias: Tensor,
}

impl Linear {
    /// Loads `weight` (`[outputs, inputs]`) and `bias` (`[outputs]`).
    pub fn load(vb: VarBuilder, inputs: usize, outputs: usize) -> candle_core::Result<Linear> {
        Ok(Linear {
            weight_t: vb.get((outputs, inputs), "weight")?.t()?.contiguous()?,
            bias: vb.get(outputs, "bias")?,
        })
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        x.matmul(&self.weight_t)?.broadcast_add(&self.bias)
    }
}

#[cfg(test)]
mod tests;
