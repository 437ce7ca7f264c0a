//! ResNet50 (He et al. 2015) in torchvision's layout (`conv1`, `bn1`, `layer1..4.N.{conv1..3,
//! bn1..3,downsample.0,downsample.1}`, `fc`), with the stride on the 3×3 convolution ("v1.5").

use crate::kernels::KernelPath;
use crate::layers::{Activation, Conv, ConvSpec, Linear, Padding};
use candle_core::{Module, Tensor, D};
use candle_nn::VarBuilder;

const BN_EPS: f64 = 1e-5;
/// (blocks, planes) per stage: each block narrows to `planes` channels and widens back to
/// `planes · EXPANSION`.
const STAGES: [(usize, usize); 4] = [(3, 64), (4, 128), (6, 256), (3, 512)];
const EXPANSION: usize = 4;
const CLASSES: usize = 1000;

/// A `kernel`×`kernel` convolution from `in_channels` to `out_channels`.
fn spec(
    (in_channels, out_channels): (usize, usize),
    kernel: usize,
    stride: usize,
    activation: Activation,
) -> ConvSpec {
    ConvSpec {
        in_channels,
        out_channels,
        kernel,
        stride,
        // PyTorch's ResNet pads to keep the size (before the stride).
        padding: Padding::Symmetric(kernel / 2),
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

impl Bottleneck {
    /// Block `vb` (`layerS.N`) from `in_channels` through `planes` to `planes · EXPANSION`
    /// channels; the first block of a stage also has the shortcut's projection.
    fn load(
        vb: VarBuilder,
        in_channels: usize,
        planes: usize,
        stride: usize,
        (first, path): (bool, KernelPath),
    ) -> candle_core::Result<Bottleneck> {
        let relu = Activation::Relu;
        let out_channels = planes * EXPANSION;
        let conv = |conv: &str, bn: &str, spec: ConvSpec| {
            Conv::with_batch_norm((vb.pp(conv), vb.pp(bn)), BN_EPS, spec, path)
        };
        Ok(Bottleneck {
            reduce: conv("conv1", "bn1", spec((in_channels, planes), 1, 1, relu))?,
            spatial: conv("conv2", "bn2", spec((planes, planes), 3, stride, relu))?,
            expand: conv("conv3", "bn3", spec((planes, out_channels), 1, 1, relu))?,
            downsample: if first {
                let downsample = vb.pp("downsample");
                Some(Conv::with_batch_norm(
                    (downsample.pp(0), downsample.pp(1)),
                    BN_EPS,
                    spec((in_channels, out_channels), 1, stride, Activation::None),
                    path,
                )?)
            } else {
                None
            },
        })
    }
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
    /// The network of the weights at `vb`, its convolutions run by `path`'s kernels.
    pub fn load(vb: VarBuilder, path: KernelPath) -> candle_core::Result<Self> {
        // The classifier's transposed copy is made first, while no packed weights are held
        // yet: made last, it would raise the peak memory of loading.
        let classifier = Linear::load(vb.pp("fc"), 512 * EXPANSION, CLASSES)?;
        let stem_spec = spec((3, 64), 7, 2, Activation::Relu);
        let stem = Conv::with_batch_norm((vb.pp("conv1"), vb.pp("bn1")), BN_EPS, stem_spec, path)?;
        let mut blocks = Vec::new();
        let mut in_channels = 64;
        for (stage, (count, planes)) in STAGES.into_iter().enumerate() {
            let layer = vb.pp(format!("layer{}", stage + 1));
            for n in 0..count {
                let stride = if n == 0 && stage > 0 { 2 } else { 1 };
                blocks.push(Bottleneck::load(
                    layer.pp(n),
                    in_channels,
                    planes,
                    stride,
                    (n == 0, path),
                )?);
                in_channels = planes * EXPANSION;
            }
        }
        Ok(ResNet50 {
            stem,
            blocks,
            classifier,
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
