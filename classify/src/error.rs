use gaillery_imaging::ImagingError;

/// Everything that can go wrong loading a model or classifying an image.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// The image could not be read; the message is for people.
    #[error(transparent)]
    Image(#[from] ImagingError),
    /// No model of that name exists.
    #[error("unknown model {0:?} (known: {known})", known = crate::ModelKind::NAMES.join(", "))]
    UnknownModel(String),
    /// The weights file is missing, unreadable, or does not fit the model.
    #[error("weights {path}: {message}")]
    Weights { path: String, message: String },
    /// `GAILLERY_KERNELS` names kernels that are unknown or that this CPU cannot run.
    #[error(transparent)]
    Kernels(#[from] crate::KernelPathError),
    /// A tensor operation failed: a bug, not a user error.
    #[error("inference failed: {0}")]
    Inference(#[from] candle_core::Error),
}

impl ClassifyError {
    pub(crate) fn weights(path: &std::path::Path, message: impl std::fmt::Display) -> Self {
        ClassifyError::Weights {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}
