//! EfficientNet-Lite0 (Tan & Le 2019, the "lite" variant for mobile accelerators: ReLU6, no
//! squeeze-and-excitation, fixed stem and head) in the layout of lukemelas' PyTorch port:
//! `_conv_stem`, `_bn0`, `_blocks.N.{_expand_conv,_bn0,_depthwise_conv,_bn1,_project_conv,_bn2}`,
//! `_conv_head`, `_bn1`, `_fc`. Convolutions pad like TensorFlow ("SAME").

use crate::kernels::KernelPath;
use crate::layers::{Activation, Conv, ConvSpec, Linear, Padding};
use candle_core::{Module, Tensor};
use candle_nn::VarBuilder;

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
/// The blocks whose output is 112×112 or 56×56: a batch goes through them image by image.
const EARLY_BLOCKS: usize = 3;
const STEM_CHANNELS: usize = 32;
const HEAD_CHANNELS: usize = 1280;
const CLASSES: usize = 1000;

/// One inverted-residual block: expand (1×1), depthwise, project (1×1), plus the input when
/// the shape is unchanged.
struct Block {
    expand: Option<Conv>,
    depthwise: Conv,
    project: Conv,
    residual: bool,
}

impl Block {
    /// Block `vb` (`_blocks.N`): `input` channels widened `expansion` times, filtered by a
    /// `kernel`×`kernel` depthwise convolution, narrowed to `output`.
    fn load(
        vb: VarBuilder,
        (kernel, stride, expansion): (usize, usize, usize),
        (input, output): (usize, usize),
        path: KernelPath,
    ) -> candle_core::Result<Block> {
        let relu6 = Activation::Relu6;
        let hidden = input * expansion;
        let conv = |conv: &str, bn: &str, spec: ConvSpec| {
            Conv::with_batch_norm((vb.pp(conv), vb.pp(bn)), BN_EPS, spec, path)
        };
        let expand = if expansion == 1 {
            None
        } else {
            Some(conv(
                "_expand_conv",
                "_bn0",
                pointwise(input, hidden, relu6),
            )?)
        };
        let depthwise_spec = ConvSpec {
            in_channels: hidden,
            out_channels: hidden,
            kernel,
            stride,
            padding: Padding::Same,
            groups: hidden,
            activation: relu6,
        };
        Ok(Block {
            expand,
            depthwise: conv("_depthwise_conv", "_bn1", depthwise_spec)?,
            project: conv(
                "_project_conv",
                "_bn2",
                pointwise(hidden, output, Activation::None),
            )?,
            residual: stride == 1 && input == output,
        })
    }
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

/// A 1×1 convolution from `input` to `output` channels.
fn pointwise(input: usize, output: usize, activation: Activation) -> ConvSpec {
    ConvSpec {
        in_channels: input,
        out_channels: output,
        kernel: 1,
        stride: 1,
        padding: Padding::Same,
        groups: 1,
        activation,
    }
}

pub(crate) struct EfficientNetLite0 {
    stem: Conv,
    blocks: Vec<Block>,
    head: Conv,
    classifier: Linear,
}

impl EfficientNetLite0 {
    /// The network of the weights at `vb`, its convolutions run by `path`'s kernels.
    pub fn load(vb: VarBuilder, path: KernelPath) -> candle_core::Result<Self> {
        // The classifier's transposed copy is made first, while no packed weights are held
        // yet: made last, it would raise the peak memory of loading.
        let classifier = Linear::load(vb.pp("_fc"), HEAD_CHANNELS, CLASSES)?;
        let relu6 = Activation::Relu6;
        let stem_spec = ConvSpec {
            in_channels: 3,
            out_channels: STEM_CHANNELS,
            kernel: 3,
            stride: 2,
            padding: Padding::Same,
            groups: 1,
            activation: relu6,
        };
        let stem_weights = (vb.pp("_conv_stem"), vb.pp("_bn0"));
        let stem = Conv::with_batch_norm(stem_weights, BN_EPS, stem_spec, path)?;
        let mut blocks = Vec::new();
        let mut channels = STEM_CHANNELS;
        for (repeats, kernel, stride, expansion, input, output) in STAGES {
            for repeat in 0..repeats {
                // Only a stage's first block changes the size and the width.
                let (stride, input) = if repeat == 0 {
                    (stride, input)
                } else {
                    (1, output)
                };
                let block = vb.pp("_blocks").pp(blocks.len());
                blocks.push(Block::load(
                    block,
                    (kernel, stride, expansion),
                    (input, output),
                    path,
                )?);
            }
            channels = output;
        }
        let head = Conv::with_batch_norm(
            (vb.pp("_conv_head"), vb.pp("_bn1")),
            BN_EPS,
            pointwise(channels, HEAD_CHANNELS, relu6),
            path,
        )?;
        Ok(EfficientNetLite0 {
            stem,
            blocks,
            head,
            classifier,
        })
    }

    /// The stem and `early` blocks.
    fn early_layers(&self, x: &Tensor, early: &[Block]) -> candle_core::Result<Tensor> {
        let mut x = self.stem.forward(x)?;
        for block in early {
            x = block.forward(&x)?;
        }
        Ok(x)
    }
}

impl Module for EfficientNetLite0 {
    /// Channel-major `[3, batch, 224, 224]` normalised pixels to `[batch, 1000]` logits.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (early, late) = self.blocks.split_at(EARLY_BLOCKS.min(self.blocks.len()));
        let batch = x.dim(1)?;
        // The early layers' activations for a whole batch (96 channels at 112×112 is 4.8 MB an
        // image) overflow the caches, so they go image by image; from the block that brings
        // the maps down to 28×28 on, the batch goes together and the products fill their
        // panels.
        let mut x = if batch > 1 {
            let images = (0..batch)
                .map(|image| self.early_layers(&x.narrow(1, image, 1)?, early))
                .collect::<candle_core::Result<Vec<_>>>()?;
            Tensor::cat(&images, 1)?
        } else {
            self.early_layers(x, early)?
        };
        for block in late {
            x = block.forward(&x)?;
        }
        // `[channels, batch]` features, pooled, to one row per image.
        let features = self.head.forward(&x)?.mean((2, 3))?.t()?.contiguous()?;
        self.classifier.forward(&features)
    }
}
