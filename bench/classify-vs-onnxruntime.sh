#!/usr/bin/env bash
# Classification throughput, candle (ours) against ONNX Runtime, on the same models and this
# machine, batch 1 and 8, with each engine's peak memory, and a summary table for docs/benchmarks.md.
# Run on an idle machine:
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
# The machine is shared and its speed drifts over seconds: the two engines take turns, three
# rounds each, and the table reports the median round of each.
ROUNDS=${ROUNDS:-3}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for model in efficientnet-lite0 resnet50; do
  onnx=.cache/onnx/$model.onnx
  [[ -f $onnx ]] || "$VENV/bin/python" bench/onnxruntime_throughput.py export "$model" models "$onnx" > /dev/null
  for batch in 1 8; do
    for _ in $(seq "$ROUNDS"); do
      target/release/examples/classify_throughput "$model" "$batch" models | tee -a "$results"
      "$VENV/bin/python" bench/onnxruntime_throughput.py run "$model" "$onnx" "$batch" | tee -a "$results"
    done
  done
done
python3 - "$results" <<'SUMMARY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    runs.setdefault((r["model"], r["batch"]), {}).setdefault(r["engine"], []).append(r)
print("\n| model | batch | candle (ours) | ONNX Runtime | ratio | peak RSS, ours / ORT |")
print("| --- | --- | --- | --- | --- | --- |")
for (model, batch), engines in runs.items():
    ips = {e: statistics.median(r["images_per_second"] for r in rs) for e, rs in engines.items()}
    ms = {e: statistics.median(r["median_ms"] for r in rs) for e, rs in engines.items()}
    rss = {e: max(r["peak_rss_mb"] for r in rs) for e, rs in engines.items()}
    c, o = "candle", "onnxruntime"
    print(f"| {model} | {batch} | {ips[c]:.1f} img/s ({ms[c]:.1f} ms) | {ips[o]:.1f} img/s "
          f"({ms[o]:.1f} ms) | {ips[c] / ips[o]:.2f}x | {rss[c]} / {rss[o]} MB |")
SUMMARY
