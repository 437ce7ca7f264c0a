//! ResNet50 (He et al. 2015) in torchvision's layout (`conv1`, `bn1`, `layer1..4.N.{conv1..3,
//! bn1..3,downsample.0,downsample.1}`, `fc`), with the stride on the 3×3 convolution ("v1.5").

use crate::ops::{Activation, Conv, ConvSpec, Linear, Padding};
use crate::weights::Weights;
use candle_core::{Module, Tensor, D};

const BN_EPS: f64 = 1e-5;
/// Blocks per stage.
const LAYERS: [usize; 4] = [3, 4, 6, 3];

fn spec(stride: usize, padding: usize, activation: Activation) -> ConvSpec {
    ConvSpec {
        stride,
        padding: Padding::Symmetric(padding),
        groups: 1,
        activation,
    }
}

struct Bottleneck {
    reduce: Conv,
    spatial: Conv,
    expand: Conv,
    downsample: Option<Conv>,
}

impl Module for Bottleneck {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = self.spatial.forward(&self.reduce.forward(x)?)?;
        let shortcut = match &self.downsample {
            Some(downsample) => downsample.forward(x)?,
            None => x.clone(),
        };
        // The shortcut is added before the expansion's ReLU, in the same pass.
        self.expand.forward_with_residual(&y, Some(&shortcut))
    }
}

pub(crate) struct ResNet50 {
    stem: Conv,
    blocks: Vec<Bottleneck>,
    classifier: Linear,
}

impl ResNet50 {
    pub fn load(weights: &Weights) -> crate::Result<Self> {
        let relu = Activation::Relu;
        let stem = Conv::with_batch_norm(weights, "conv1", "bn1", BN_EPS, spec(2, 3, relu))?;
        let mut blocks = Vec::new();
        for (stage, &count) in LAYERS.iter().enumerate() {
            for n in 0..count {
                let name = |layer: &str| format!("layer{}.{n}.{layer}", stage + 1);
                let stride = if n == 0 && stage > 0 { 2 } else { 1 };
                let conv = |conv: &str, bn: &str, spec: ConvSpec| {
                    Conv::with_batch_norm(weights, &name(conv), &name(bn), BN_EPS, spec)
                };
                blocks.push(Bottleneck {
                    reduce: conv("conv1", "bn1", spec(1, 0, relu))?,
                    spatial: conv("conv2", "bn2", spec(stride, 1, relu))?,
                    expand: conv("conv3", "bn3", spec(1, 0, relu))?,
                    downsample: if n == 0 {
                        Some(conv(
                            "downsample.0",
                            "downsample.1",
                            spec(stride, 0, Activation::None),
                        )?)
                    } else {
                        None
                    },
                });
            }
        }
        Ok(ResNet50 {
            stem,
            blocks,
            classifier: Linear::load(weights, "fc")?,
        })
    }
}

impl Module for ResNet50 {
    /// Channel-major `[3, batch, 224, 224]` normalised pixels to `[batch, 1000]` logits.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        // Max pooling (3×3, stride 2, padding 1) after a ReLU: zero padding is as good as −∞.
        let x = self
            .stem
            .forward(x)?
            .pad_with_zeros(D::Minus2, 1, 1)?
            .pad_with_zeros(D::Minus1, 1, 1)?
            .max_pool2d_with_stride(3, 2)?;
        let mut x = x;
        for block in &self.blocks {
            x = block.forward(&x)?;
        }
        // `[channels, batch]` features, pooled, to one row per image.
        let features = x.mean((2, 3))?.t()?.contiguous()?;
        self.classifier.forward(&features)
    }
}
