//! A model's weights by name, loaded from a safetensors file.

use crate::ClassifyError;
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub(crate) struct Weights {
    path: PathBuf,
    tensors: HashMap<String, Tensor>,
}

impl Weights {
    pub fn load(path: &Path) -> crate::Result<Weights> {
        if !path.exists() {
            return Err(ClassifyError::weights(path, "file not found"));
        }
        let tensors = candle_core::safetensors::load(path, &Device::Cpu)
            .map_err(|e| ClassifyError::weights(path, e))?;
        Ok(Weights {
            path: path.to_path_buf(),
            tensors,
        })
    }

    /// The tensor called `name`, as f32.
    pub fn get(&self, name: &str) -> crate::Result<Tensor> {
        let tensor = self
            .tensors
            .get(name)
            .ok_or_else(|| ClassifyError::weights(&self.path, format!("no tensor {name}")))?;
        Ok(tensor.to_dtype(DType::F32)?)
    }
}
