#!/usr/bin/env bash
# Classification throughput, candle (ours) against ONNX Runtime, on the same models and this
# machine, batch 1 and 8, with each engine's peak memory. Run on an idle machine:
#   bench/classify-vs-onnxruntime.sh
# Sets up a virtualenv in .cache/bench-venv (torch, torchvision, efficientnet_lite_pytorch,
# onnx, onnxruntime from PyPI) on first use; needs scripts/fetch-models.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/bench-venv
if [[ ! -x $VENV/bin/python ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet torch torchvision efficientnet_lite_pytorch==0.1.0 onnx onnxruntime numpy
fi
cargo build --quiet --release -p gaillery-bench --example classify_throughput
mkdir -p .cache/onnx
for model in efficientnet-lite0 resnet50; do
  onnx=.cache/onnx/$model.onnx
  [[ -f $onnx ]] || "$VENV/bin/python" bench/onnxruntime_throughput.py export "$model" models "$onnx" > /dev/null
  for batch in 1 8; do
    target/release/examples/classify_throughput "$model" "$batch" models
    "$VENV/bin/python" bench/onnxruntime_throughput.py run "$model" "$onnx" "$batch"
  done
done
