#!/usr/bin/env bash
# Classification throughput, ours on each kernel path this CPU runs (GAILLERY_KERNELS: avx512,
# avx2, portable, candle) against ONNX Runtime, on the same models and this machine, batch 1
# and 8, with each engine's peak memory, and a summary table for docs/benchmarks.md headed by
# the CPU and its vector extensions. Run on an idle machine:
#   bench/classify-vs-onnxruntime.sh            (KERNELS="avx2 portable" for fewer paths)
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
# The paths this CPU runs: a path it lacks is refused by the example, and named here as skipped.
paths=()
for path in ${KERNELS:-avx512 avx2 portable candle}; do
  if GAILLERY_KERNELS=$path target/release/examples/classify_throughput kernels > /dev/null 2>&1; then
    paths+=("$path")
  else
    echo "skipped: this CPU does not run the $path kernels" >&2
  fi
done
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
      for path in "${paths[@]}"; do
        GAILLERY_KERNELS=$path target/release/examples/classify_throughput "$model" "$batch" models | tee -a "$results"
      done
      "$VENV/bin/python" bench/onnxruntime_throughput.py run "$model" "$onnx" "$batch" | tee -a "$results"
    done
  done
done
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
extensions=$(grep -m1 -owE 'avx512f|avx2|fma|asimd|sve' /proc/cpuinfo | sort -u | tr '\n' ' ' || true)
python3 - "$results" "$cpu" "$extensions" <<'SUMMARY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    engine = "onnxruntime" if r["engine"] == "onnxruntime" else r["kernels"]
    runs.setdefault((r["model"], r["batch"]), {}).setdefault(engine, []).append(r)
print(f"\nCPU: {sys.argv[2]}; vector extensions: {sys.argv[3].strip() or 'none of avx512f, avx2, fma, asimd, sve'}")
paths = [p for p in ["avx512", "avx2", "portable", "candle"] if any(p in e for e in runs.values())]
print("\n| model | batch | " + " | ".join(f"ours, {p}" for p in paths) + " | ONNX Runtime | " + " | ".join(f"{p} / ORT" for p in paths) + f" | peak RSS, {paths[0]} / ORT |")
print("|" + " --- |" * (4 + 2 * len(paths)))
for (model, batch), engines in runs.items():
    ips = {e: statistics.median(r["images_per_second"] for r in rs) for e, rs in engines.items()}
    ms = {e: statistics.median(r["median_ms"] for r in rs) for e, rs in engines.items()}
    rss = {e: max(r["peak_rss_mb"] for r in rs) for e, rs in engines.items()}
    o = "onnxruntime"
    ours = " | ".join(f"{ips[p]:.1f} img/s ({ms[p]:.1f} ms)" for p in paths)
    ratios = " | ".join(f"{ips[p] / ips[o]:.2f}x" for p in paths)
    print(f"| {model} | {batch} | {ours} | {ips[o]:.1f} img/s ({ms[o]:.1f} ms) | {ratios} | "
          f"{rss[paths[0]]:.0f} / {rss[o]:.0f} MB |")
SUMMARY
