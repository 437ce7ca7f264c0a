//! Classification throughput of our candle models: images per second at a batch size, and the
//! process's peak memory, on the kernels `GAILLERY_KERNELS` names (the widest the CPU has when
//! unset). `bench/classify-vs-onnxruntime.sh` runs it on each path beside ONNX Runtime on the
//! same models.
//!
//! cargo run --release -p gaillery-bench --example classify_throughput -- MODEL BATCH [MODEL_DIR]
//! cargo run --release -p gaillery-bench --example classify_throughput -- kernels
//!   (prints the kernel path `GAILLERY_KERNELS` gives, or fails if this CPU lacks it)
//!
//! ResNet50 runs on weights generated here (throughput does not depend on their values) when
//! the model directory has none.

use candle_core::{Device, Tensor};
use gaillery_classify::{Classifier, ModelKind};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().is_some_and(|first| first == "kernels") {
        println!("{}", gaillery_classify::KernelPath::from_env()?);
        return Ok(());
    }
    let model = ModelKind::parse(&args.next().unwrap_or_else(|| "efficientnet-lite0".into()))?;
    let batch: usize = args.next().unwrap_or_else(|| "1".into()).parse()?;
    let model_dir = PathBuf::from(args.next().unwrap_or_else(|| "models".into()));
    let scratch = tempfile::tempdir()?;

    let classifier = match (model, model.weights_path(&model_dir).exists()) {
        (_, true) => Classifier::load(model, &model_dir)?,
        (ModelKind::EfficientNetLite0, false) => {
            let weights = model.weights_path(scratch.path());
            gaillery_classify::convert_checkpoint(
                &model_dir.join("efficientnet-lite0-57934424.pth"),
                &weights,
            )?;
            Classifier::load(model, scratch.path())?
        }
        (ModelKind::ResNet50, false) => {
            save_generated_resnet50(&model.weights_path(scratch.path()))?;
            Classifier::load(model, scratch.path())?
        }
    };

    let input = Tensor::rand(0f32, 1f32, (3, 224, 224), &Device::Cpu)?;
    let inputs = vec![input; batch];
    classifier.logits(&inputs)?; // warm-up
    let runs = (32 / batch).max(5);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        classifier.logits(&inputs)?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{{\"engine\": \"candle\", \"kernels\": \"{}\", \"model\": \"{model}\", \"batch\": {batch}, \"median_ms\": {:.1}, \"images_per_second\": {:.2}, \"peak_rss_mb\": {:.0}}}",
        classifier.kernels(),
        median * 1000.0,
        batch as f64 / median,
        peak_rss_mb()
    );
    Ok(())
}

/// Peak resident memory of this process (VmHWM), in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// torchvision's ResNet50 shapes with small random values.
fn save_generated_resnet50(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut tensors: HashMap<String, Tensor> = HashMap::new();
    for (name, shape) in gaillery_classify::resnet50_state_dict_shapes() {
        let tensor =
            if name.ends_with("running_var") || (name.ends_with(".weight") && shape.len() == 1) {
                Tensor::ones(shape, candle_core::DType::F32, &Device::Cpu)?
            } else {
                (Tensor::rand(-1f32, 1f32, shape, &Device::Cpu)? * 0.05)?
            };
        tensors.insert(name, tensor);
    }
    candle_core::safetensors::save(&tensors, path)?;
    Ok(())
}
