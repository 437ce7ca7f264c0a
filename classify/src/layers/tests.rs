//! The layers against candle's own convolution, through each of our kernel paths the CPU has.

use super::*;
use candle_core::Device;

fn random(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut state = seed;
    let values: Vec<f32> = (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap()
}

/// The reference: candle's own grouped convolution on explicitly padded input.
fn reference(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    stride: usize,
    pad: (usize, usize, usize, usize),
    groups: usize,
) -> Tensor {
    let x = x
        .pad_with_zeros(2, pad.0, pad.1)
        .unwrap()
        .pad_with_zeros(3, pad.2, pad.3)
        .unwrap();
    x.conv2d(w, 0, stride, 1, groups)
        .unwrap()
        .broadcast_add(&b.reshape((1, (), 1, 1)).unwrap())
        .unwrap()
}

/// `[batch, channels, h, w]` to the layers' `[channels, batch, h, w]`, and back.
fn swap_batch_and_channels(x: &Tensor) -> Tensor {
    x.transpose(0, 1).unwrap().contiguous().unwrap()
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar()
        .unwrap()
}

/// A convolution on `path`'s kernels.
fn on(path: KernelPath, weight: &Tensor, bias: &Tensor, spec: ConvSpec) -> Conv {
    Conv::new(weight.clone(), bias.clone(), spec, path).unwrap()
}

#[test]
fn depthwise_and_pointwise_kernels_match_candles_convolution() {
    for path in KernelPath::ours_here() {
        depthwise_and_pointwise_match_on(path);
    }
}

fn depthwise_and_pointwise_match_on(path: KernelPath) {
    for (kernel, stride, size) in [(3, 1, 9), (3, 2, 10), (5, 2, 11), (5, 1, 7), (3, 2, 1)] {
        let channels = 6;
        let x = random(&[2, channels, size, size + 1], 1);
        let w = random(&[channels, 1, kernel, kernel], 2);
        let b = random(&[channels], 3);
        let spec = ConvSpec {
            in_channels: channels,
            out_channels: channels,
            kernel,
            stride,
            padding: Padding::Same,
            groups: channels,
            activation: Activation::None,
        };
        let conv = on(path, &w, &b, spec);
        assert!(matches!(conv.kernel, ConvKernel::Depthwise { .. }));
        let got = swap_batch_and_channels(&conv.forward(&swap_batch_and_channels(&x)).unwrap());
        let (t, bo) = Padding::Same.amounts(size, kernel, stride);
        let (l, r) = Padding::Same.amounts(size + 1, kernel, stride);
        let want = reference(&x, &w, &b, stride, (t, bo, l, r), channels);
        assert_eq!(got.dims(), want.dims());
        assert!(
            max_diff(&got, &want) < 1e-5,
            "{path}: k{kernel} s{stride} n{size}"
        );
    }
    let x = random(&[2, 8, 5, 4], 4);
    let w = random(&[12, 8, 1, 1], 5);
    let b = random(&[12], 6);
    let spec = ConvSpec {
        in_channels: 8,
        out_channels: 12,
        kernel: 1,
        stride: 1,
        padding: Padding::Symmetric(0),
        groups: 1,
        activation: Activation::Relu6,
    };
    let got = on(path, &w, &b, spec)
        .forward(&swap_batch_and_channels(&x))
        .unwrap();
    let got = swap_batch_and_channels(&got);
    let want = reference(&x, &w, &b, 1, (0, 0, 0, 0), 1)
        .clamp(0f32, 6f32)
        .unwrap();
    assert!(max_diff(&got, &want) < 1e-5, "{path}: pointwise");
}

#[test]
fn gemm_convolutions_match_candles() {
    for path in KernelPath::ours_here() {
        gemm_convolutions_match_on(path);
    }
}

fn gemm_convolutions_match_on(path: KernelPath) {
    let symmetric = Padding::Symmetric;
    // (in, out, kernel, stride, padding, size): ResNet's stem, 3×3 and strided 1×1 shapes,
    // EfficientNet's SAME stem, and sizes off the GEMM's panel sizes.
    let cases = [
        (3, 16, 7, 2, symmetric(3), 23),
        (8, 13, 3, 1, symmetric(1), 9),
        (8, 25, 3, 2, symmetric(1), 14),
        (30, 20, 1, 2, symmetric(0), 7),
        (300, 12, 1, 1, symmetric(0), 5),
        (3, 32, 3, 2, Padding::Same, 16),
        // Output rows longer than a panel and than a vector.
        (4, 8, 3, 1, symmetric(1), 40),
        (4, 8, 3, 2, symmetric(1), 75),
    ];
    for (seed, (inputs, outputs, kernel, stride, padding, size)) in cases.into_iter().enumerate() {
        let seed = seed as u64 * 10;
        let batch_major = random(&[3, inputs, size, size + 1], seed);
        let x = swap_batch_and_channels(&batch_major);
        let w = random(&[outputs, inputs, kernel, kernel], seed + 1);
        let b = random(&[outputs], seed + 2);
        let spec = ConvSpec {
            in_channels: inputs,
            out_channels: outputs,
            kernel,
            stride,
            padding,
            groups: 1,
            activation: Activation::Relu,
        };
        let ours = on(path, &w, &b, spec);
        let candles = on(KernelPath::Candle, &w, &b, spec);
        assert!(matches!(ours.kernel, ConvKernel::Gemm { .. }));
        let want = candles.forward(&x).unwrap();
        let case = format!("{path}: {inputs}→{outputs} k{kernel} s{stride} {padding:?} n{size}");
        // The fallback itself, through its layout changes, against candle's convolution.
        let (t, bo) = padding.amounts(size, kernel, stride);
        let (l, r) = padding.amounts(size + 1, kernel, stride);
        let reference = reference(&batch_major, &w, &b, stride, (t, bo, l, r), 1)
            .relu()
            .unwrap();
        assert!(
            max_diff(&swap_batch_and_channels(&want), &reference) < 1e-4,
            "{case} fallback"
        );
        assert_eq!(ours.forward(&x).unwrap().dims(), want.dims());
        assert!(max_diff(&ours.forward(&x).unwrap(), &want) < 1e-4, "{case}");
        let residual = random(want.dims(), seed + 3);
        let with_residual = |conv: &Conv| conv.forward_with_residual(&x, Some(&residual)).unwrap();
        assert!(
            max_diff(&with_residual(&ours), &with_residual(&candles)) < 1e-4,
            "{case} + residual"
        );
    }
}

#[test]
fn same_padding_puts_the_odd_pixel_after() {
    assert_eq!(Padding::Same.amounts(224, 3, 2), (0, 1));
    assert_eq!(Padding::Same.amounts(112, 3, 1), (1, 1));
    assert_eq!(Padding::Same.amounts(28, 5, 2), (1, 2));
    assert_eq!(Padding::Symmetric(3).amounts(224, 7, 2), (3, 3));
}
