//! The layers both networks are made of, in inference form: batch norm folded into the
//! convolution before it (one multiply-add per output instead of two passes), the activation
//! fused where it is cheap to, and the two convolution shapes that dominate EfficientNet-style
//! networks given kernels of their own: 1×1 ("pointwise") as one matrix product, and depthwise
//! (one filter per channel), which candle runs as one convolution per channel.

use crate::weights::Weights;
use candle_core::{CpuStorage, CustomOp1, Layout, Module, Shape, Tensor, D};
use rayon::prelude::*;

/// What follows a convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activation {
    None,
    Relu,
    Relu6,
}

impl Activation {
    fn apply_scalar(self, v: f32) -> f32 {
        match self {
            Activation::None => v,
            Activation::Relu => v.max(0.0),
            Activation::Relu6 => v.clamp(0.0, 6.0),
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
    /// `[out, in / groups, k, k]`, contiguous.
    weight: Tensor,
    /// `[out]`
    bias: Tensor,
    kernel: usize,
    stride: usize,
    padding: Padding,
    groups: usize,
    activation: Activation,
    /// The folded weights as plain numbers, for the depthwise kernel.
    depthwise: Option<(Vec<f32>, Vec<f32>)>,
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
        let weight = weight.contiguous()?;
        let (out_channels, in_per_group, kernel, kernel_w) = weight.dims4()?;
        if kernel != kernel_w {
            return Err(
                candle_core::Error::Msg(format!("non-square kernel {kernel}x{kernel_w}")).into(),
            );
        }
        let depthwise = if spec.groups == out_channels && in_per_group == 1 && spec.groups > 1 {
            Some((
                weight.flatten_all()?.to_vec1::<f32>()?,
                bias.to_vec1::<f32>()?,
            ))
        } else {
            None
        };
        Ok(Conv {
            weight,
            bias,
            kernel,
            stride: spec.stride,
            padding: spec.padding,
            groups: spec.groups,
            activation: spec.activation,
            depthwise,
        })
    }
}

impl Module for Conv {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (batch, channels, height, width) = x.dims4()?;
        let (top, bottom) = self.padding.amounts(height, self.kernel, self.stride);
        let (left, right) = self.padding.amounts(width, self.kernel, self.stride);

        if let Some((weight, bias)) = &self.depthwise {
            let op = Depthwise {
                weight,
                bias,
                kernel: self.kernel,
                stride: self.stride,
                top,
                left,
                out_height: (height + top + bottom - self.kernel) / self.stride + 1,
                out_width: (width + left + right - self.kernel) / self.stride + 1,
                activation: self.activation,
            };
            return x.contiguous()?.apply_op1_no_bwd(&op);
        }

        if self.kernel == 1 && self.stride == 1 && self.groups == 1 && top + left == 0 {
            // 1×1: [out, in] × [batch, in, h·w], one GEMM per image.
            let out_channels = self.weight.dim(0)?;
            let w = self.weight.reshape((out_channels, channels))?;
            let y = w
                .broadcast_matmul(&x.reshape((batch, channels, height * width))?)?
                .broadcast_add(&self.bias.reshape((out_channels, 1))?)?;
            return self
                .activation
                .apply(&y)?
                .reshape((batch, out_channels, height, width));
        }

        let x = if (top, bottom, left, right) == (0, 0, 0, 0) {
            x.clone()
        } else if top == bottom && left == right && top == left {
            // candle pads symmetric convolutions itself.
            return self.general(x, top);
        } else {
            x.pad_with_zeros(D::Minus2, top, bottom)?
                .pad_with_zeros(D::Minus1, left, right)?
        };
        self.general(&x, 0)
    }
}

impl Conv {
    fn general(&self, x: &Tensor, padding: usize) -> candle_core::Result<Tensor> {
        let y = x
            .conv2d(&self.weight, padding, self.stride, 1, self.groups)?
            .broadcast_add(&self.bias.reshape((1, (), 1, 1))?)?;
        self.activation.apply(&y)
    }
}

/// Depthwise convolution of a contiguous `[batch, channels, h, w]` f32 tensor, bias and
/// activation included; one task per channel plane.
struct Depthwise<'a> {
    weight: &'a [f32],
    bias: &'a [f32],
    kernel: usize,
    stride: usize,
    top: usize,
    left: usize,
    out_height: usize,
    out_width: usize,
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
        let (start, end) = layout
            .contiguous_offsets()
            .ok_or_else(|| candle_core::Error::Msg("depthwise input not contiguous".into()))?;
        let input = &storage.as_slice::<f32>()?[start..end];
        let (batch, channels, height, width) = layout.shape().dims4()?;
        let (k, s) = (self.kernel, self.stride);
        let (oh, ow) = (self.out_height, self.out_width);
        let mut output = vec![0f32; batch * channels * oh * ow];
        output
            .par_chunks_mut(oh * ow)
            .zip(input.par_chunks(height * width))
            .enumerate()
            .for_each(|(plane, (out, inp))| {
                let c = plane % channels;
                let w = &self.weight[c * k * k..(c + 1) * k * k];
                let b = self.bias[c];
                for oy in 0..oh {
                    // The kernel rows that land inside the image for this output row.
                    let y0 = (oy * s) as isize - self.top as isize;
                    let ky_range =
                        (0.max(-y0) as usize)..k.min((height as isize - y0).max(0) as usize);
                    for ox in 0..ow {
                        let x0 = (ox * s) as isize - self.left as isize;
                        let kx_range =
                            (0.max(-x0) as usize)..k.min((width as isize - x0).max(0) as usize);
                        let mut acc = b;
                        for ky in ky_range.clone() {
                            let row = (y0 + ky as isize) as usize * width;
                            let wrow = &w[ky * k..ky * k + k];
                            for kx in kx_range.clone() {
                                acc += inp[row + (x0 + kx as isize) as usize] * wrow[kx];
                            }
                        }
                        out[oy * ow + ox] = self.activation.apply_scalar(acc);
                    }
                }
            });
        Ok((
            CpuStorage::F32(output),
            Shape::from((batch, channels, oh, ow)),
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
            assert!(conv.depthwise.is_some());
            let got = conv.forward(&x).unwrap();
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
            .forward(&x)
            .unwrap();
        let want = reference(&x, &w, &b, 1, (0, 0, 0, 0), 1)
            .clamp(0f32, 6f32)
            .unwrap();
        assert!(max_diff(&got, &want) < 1e-5);
    }

    #[test]
    fn same_padding_puts_the_odd_pixel_after() {
        assert_eq!(Padding::Same.amounts(224, 3, 2), (0, 1));
        assert_eq!(Padding::Same.amounts(112, 3, 1), (1, 1));
        assert_eq!(Padding::Same.amounts(28, 5, 2), (1, 2));
        assert_eq!(Padding::Symmetric(3).amounts(224, 7, 2), (3, 3));
    }
}
