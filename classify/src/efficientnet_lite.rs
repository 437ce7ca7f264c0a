//! EfficientNet-Lite0 (Tan & Le 2019, the "lite" variant for mobile accelerators: ReLU6, no
//! squeeze-and-excitation, fixed stem and head) in the layout of lukemelas' PyTorch port:
//! `_conv_stem`, `_bn0`, `_blocks.N.{_expand_conv,_bn0,_depthwise_conv,_bn1,_project_conv,_bn2}`,
//! `_conv_head`, `_bn1`, `_fc`. Convolutions pad like TensorFlow ("SAME").

use crate::ops::{Activation, Conv, ConvSpec, Linear, Padding};
use crate::weights::Weights;
use candle_core::{Module, Tensor};

const BN_EPS: f64 = 1e-3;

/// (repeats, kernel, stride, expansion, input channels, output channels) per stage.
const STAGES: [(usize, usize, usize, usize, usize, usize); 7] = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
];

/// One inverted-residual block: expand (1×1), depthwise, project (1×1), plus the input when
/// the shape is unchanged.
struct Block {
    expand: Option<Conv>,
    depthwise: Conv,
    project: Conv,
    residual: bool,
}

impl Module for Block {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let expanded = match &self.expand {
            Some(expand) => expand.forward(x)?,
            None => x.clone(),
        };
        let residual = self.residual.then_some(x);
        self.project
            .forward_with_residual(&self.depthwise.forward(&expanded)?, residual)
    }
}

pub(crate) struct EfficientNetLite0 {
    stem: Conv,
    blocks: Vec<Block>,
    head: Conv,
    classifier: Linear,
}

fn spec(stride: usize, groups: usize, activation: Activation) -> ConvSpec {
    ConvSpec {
        stride,
        padding: Padding::Same,
        groups,
        activation,
    }
}

impl EfficientNetLite0 {
    pub fn load(weights: &Weights) -> crate::Result<Self> {
        let relu6 = Activation::Relu6;
        let stem = Conv::with_batch_norm(weights, "_conv_stem", "_bn0", BN_EPS, spec(2, 1, relu6))?;
        let mut blocks = Vec::new();
        for (repeats, kernel, stride, expansion, input, output) in STAGES {
            for repeat in 0..repeats {
                let n = blocks.len();
                let (stride, input) = if repeat == 0 {
                    (stride, input)
                } else {
                    (1, output)
                };
                let hidden = input * expansion;
                let name = |layer: &str| format!("_blocks.{n}.{layer}");
                let expand = if expansion == 1 {
                    None
                } else {
                    Some(Conv::with_batch_norm(
                        weights,
                        &name("_expand_conv"),
                        &name("_bn0"),
                        BN_EPS,
                        spec(1, 1, relu6),
                    )?)
                };
                let depthwise = Conv::with_batch_norm(
                    weights,
                    &name("_depthwise_conv"),
                    &name("_bn1"),
                    BN_EPS,
                    spec(stride, hidden, relu6),
                )?;
                let project = Conv::with_batch_norm(
                    weights,
                    &name("_project_conv"),
                    &name("_bn2"),
                    BN_EPS,
                    spec(1, 1, Activation::None),
                )?;
                debug_assert!(kernel == 3 || kernel == 5);
                blocks.push(Block {
                    expand,
                    depthwise,
                    project,
                    residual: stride == 1 && input == output,
                });
            }
        }
        let head = Conv::with_batch_norm(weights, "_conv_head", "_bn1", BN_EPS, spec(1, 1, relu6))?;
        let classifier = Linear::load(weights, "_fc")?;
        Ok(EfficientNetLite0 {
            stem,
            blocks,
            head,
            classifier,
        })
    }
}

impl Module for EfficientNetLite0 {
    /// Channel-major `[3, batch, 224, 224]` normalised pixels to `[batch, 1000]` logits.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mut x = self.stem.forward(x)?;
        for block in &self.blocks {
            x = block.forward(&x)?;
        }
        // `[channels, batch]` features, pooled, to one row per image.
        let features = self.head.forward(&x)?.mean((2, 3))?.t()?.contiguous()?;
        self.classifier.forward(&features)
    }
}
