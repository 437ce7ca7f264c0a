//! The packed GEMM against a plain triple loop, on shapes on both sides of its panel and block
//! sizes, with each micro-kernel the CPU runs.

use super::*;

fn numbers(n: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect()
}

#[test]
fn matches_the_textbook_product_on_every_edge() {
    for path in crate::KernelPath::ours_here() {
        if let Some(isa) = path.isa() {
            matches_the_textbook_product_on(isa);
        }
    }
}

fn matches_the_textbook_product_on(isa: Isa) {
    // No columns at all; rows, depths and columns off the panel and block sizes, on both
    // sides of them; the last two cut into uneven blocks of columns and three depth blocks.
    let shapes = [
        (3, 5, 0),
        (1, 1, 1),
        (13, 7, 17),
        (25, 300, 49),
        (12, 256, 32),
        (40, 70, 300),
        (14, 530, 40),
    ];
    for (rows, depth, columns) in shapes {
        let a = numbers(rows * depth, 1);
        let b = numbers(depth * columns, 2);
        let bias = numbers(rows, 3);
        let residual = numbers(rows * columns, 4);
        for activation in [Activation::None, Activation::Relu, Activation::Relu6] {
            let packed_a = PackedRows::new(&a, rows, depth, isa);
            let matrix = Matrix {
                data: &b,
                depth,
                columns,
            };
            let epilogue = Epilogue {
                bias: &bias,
                residual: Some(&residual),
                activation,
            };
            let mut out = vec![MaybeUninit::new(f32::NAN); rows * columns];
            multiply(&packed_a, &matrix, &mut out, &epilogue);
            for i in 0..rows {
                for j in 0..columns {
                    let dot: f32 = (0..depth)
                        .map(|k| a[i * depth + k] * b[k * columns + j])
                        .sum();
                    let want = activation.apply_scalar(dot + bias[i] + residual[i * columns + j]);
                    // SAFETY: initialised above (and written by `multiply`).
                    let got = unsafe { out[i * columns + j].assume_init() };
                    assert!(
                        (got - want).abs() < 1e-4,
                        "{isa:?} {rows}×{depth}×{columns} {activation:?} at ({i}, {j}): {got} vs {want}"
                    );
                }
            }
        }
    }
}
