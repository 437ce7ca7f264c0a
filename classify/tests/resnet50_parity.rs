//! ResNet50 against PyTorch's torchvision ResNet50 on the same weights.
//!
//! No registry reachable here ships real ResNet50 weights, so both sides generate the same
//! ones from a counter-based generator (SplitMix64 of stream and index; `tools/reference.py`
//! has the Python twin) and `tests/fixtures/resnet50_generated_logits.json` holds the logits
//! PyTorch computed for a generated batch of two.

use candle_core::{Device, Tensor};
use gaillery_classify::{Classifier, ModelKind};
use std::collections::HashMap;

mod support;

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `count` numbers in [-1, 1) for stream `stream`.
fn uniform(stream: u64, count: usize) -> Vec<f32> {
    (0..count as u64)
        .map(|i| {
            let bits = splitmix64(i | (stream << 32)) >> 40;
            (bits as f64 / f64::from(1u32 << 23) - 1.0) as f32
        })
        .collect()
}

fn generated_tensor(stream: u64, name: &str, shape: &[usize]) -> Tensor {
    let count = shape.iter().product();
    let u = uniform(stream, count);
    let values: Vec<f32> = if name.ends_with("running_var") {
        u.iter().map(|u| 1.0 + 0.5 * u.abs()).collect()
    } else if name.ends_with("running_mean") || name.ends_with(".bias") {
        u.iter().map(|u| 0.1 * u).collect()
    } else if shape.len() == 1 {
        u.iter().map(|u| 1.0 + 0.1 * u).collect()
    } else {
        let fan_in: usize = shape[1..].iter().product();
        let scale = (6.0 / fan_in as f64).sqrt() as f32;
        u.iter().map(|u| u * scale * 0.5).collect()
    };
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

#[test]
fn resnet50_matches_torchvision_on_the_same_weights() {
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/resnet50_generated_logits.json")).unwrap();

    let mut shapes = gaillery_classify::resnet50_state_dict_shapes();
    assert_eq!(
        shapes.len(),
        267,
        "torchvision's 320 entries less 53 num_batches_tracked"
    );
    // Streams are numbered in sorted-name order, as in the Python generator.
    shapes.sort();
    let tensors: HashMap<String, Tensor> = shapes
        .iter()
        .enumerate()
        .map(|(stream, (name, shape))| (name.clone(), generated_tensor(stream as u64, name, shape)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let weights = ModelKind::ResNet50.weights_path(dir.path());
    candle_core::safetensors::save(&tensors, &weights).unwrap();
    for kernels in support::our_paths() {
        let classifier = Classifier::load_with(ModelKind::ResNet50, &weights, kernels).unwrap();
        matches_reference(&classifier, &reference);
    }
}

fn matches_reference(classifier: &Classifier, reference: &serde_json::Value) {
    let kernels = classifier.kernels();

    let batch = reference["batch"].as_u64().unwrap() as usize;
    let input = uniform(
        reference["input_stream"].as_u64().unwrap(),
        batch * 3 * 224 * 224,
    );
    let input = Tensor::from_vec(input, (batch, 3, 224, 224), &Device::Cpu).unwrap();
    let inputs: Vec<Tensor> = (0..batch).map(|i| input.get(i).unwrap()).collect();
    let logits = classifier
        .logits(&inputs)
        .unwrap()
        .to_vec2::<f32>()
        .unwrap();

    let want = reference["logits"].as_array().unwrap();
    assert_eq!(logits.len(), batch);
    let mut max_difference = 0f32;
    for (got, want) in logits.iter().zip(want) {
        let want = want.as_array().unwrap();
        assert_eq!(got.len(), 1000);
        for (g, w) in got.iter().zip(want) {
            max_difference = max_difference.max((g - w.as_f64().unwrap() as f32).abs());
        }
    }
    assert!(
        max_difference < 1e-3,
        "{kernels}: max |logit difference| {max_difference}"
    );
    eprintln!("{kernels}: max |logit difference| against PyTorch: {max_difference:.2e}");
}
