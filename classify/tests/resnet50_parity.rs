//! ResNet50 against PyTorch's torchvision ResNet50 on the same weights.
//!
//! No registry reachable here ships real ResNet50 weights, so both sides generate the same
//! ones from a counter-based generator (SplitMix64 of stream and index; `tools/reference.py`
//! has the Python twin) and `tests/fixtures/resnet50_generated_logits.json` holds the logits
//! PyTorch computed for a generated batch of two.

use candle_core::{Device, Tensor};
use gaillery_classify::{Classifier, ModelKind};
use std::collections::HashMap;

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

/// torchvision's ResNet50 state dict: names and shapes (without `num_batches_tracked`).
fn resnet50_shapes() -> Vec<(String, Vec<usize>)> {
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

#[test]
fn resnet50_matches_torchvision_on_the_same_weights() {
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/resnet50_generated_logits.json")).unwrap();

    let mut shapes = resnet50_shapes();
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
    candle_core::safetensors::save(&tensors, ModelKind::ResNet50.weights_path(dir.path())).unwrap();
    let classifier = Classifier::load(ModelKind::ResNet50, dir.path()).unwrap();

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
        "max |logit difference| {max_difference}"
    );
    eprintln!("max |logit difference| against PyTorch: {max_difference:.2e}");
}
