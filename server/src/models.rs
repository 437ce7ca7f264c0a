//! Loading the classification models named on the command line.

use crate::cli::ModelArgs;
use crate::startup::StartupError;
use gaillery_classify::{convert_checkpoint, Classifier, ModelKind};
use gaillery_service::pipeline::Classifiers;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The EfficientNet-Lite0 checkpoint that scripts/fetch-models.sh puts in the model directory.
const EFFICIENTNET_LITE0_CHECKPOINT: &str = "efficientnet-lite0-57934424.pth";

/// Loads every model asked for (blocking: weights are read and folded). The fetched
/// EfficientNet-Lite0 checkpoint is converted to safetensors on first use.
pub fn load(args: &ModelArgs) -> Result<Classifiers, StartupError> {
    let mut loaded = HashMap::new();
    for name in args.names() {
        let kind = ModelKind::parse(&name).map_err(|e| StartupError::Config(e.to_string()))?;
        let classifier = load_one(kind, &args.model_dir)?;
        tracing::info!(model = %kind, kernels = %classifier.kernels(), "model loaded");
        loaded.insert(name, Arc::new(classifier));
    }
    Ok(Arc::new(loaded))
}

/// Checks that every model named exists, without loading any (for servers that only queue).
pub fn check_names(args: &ModelArgs) -> Result<(), StartupError> {
    for name in args.names() {
        ModelKind::parse(&name).map_err(|e| StartupError::Config(e.to_string()))?;
    }
    Ok(())
}

fn load_one(kind: ModelKind, model_dir: &Path) -> Result<Classifier, StartupError> {
    let weights = kind.weights_path(model_dir);
    if !weights.exists() && kind == ModelKind::EfficientNetLite0 {
        let checkpoint = model_dir.join(EFFICIENTNET_LITE0_CHECKPOINT);
        if checkpoint.exists() {
            tracing::info!(from = %checkpoint.display(), to = %weights.display(), "converting weights");
            convert_checkpoint(&checkpoint, &weights)
                .map_err(|e| StartupError::Config(e.to_string()))?;
        }
    }
    if !weights.exists() {
        let how = match kind {
            ModelKind::EfficientNetLite0 => "run scripts/fetch-models.sh".to_owned(),
            ModelKind::ResNet50 => format!(
                "download torchvision's ImageNet ResNet50 weights and run \
                 `gaillery convert-weights --model resnet50 FILE.pth --model-dir {}`",
                model_dir.display()
            ),
        };
        return Err(StartupError::Config(format!(
            "no weights for {kind} at {}: {how}, or pass --model none",
            weights.display()
        )));
    }
    Classifier::load(kind, model_dir).map_err(|e| StartupError::Config(e.to_string()))
}
