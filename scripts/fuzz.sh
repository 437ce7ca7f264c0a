#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ and runs each for SECONDS (default 60) on a scratch copy
# of its seed corpus (fuzz/corpus/<target>/; runs never grow the committed one), as many at once
# as there are cores. Prints the executions of each target and exits non-zero on any crash,
# timeout or out-of-memory, naming the input that caused it (kept in target/fuzz-artifacts/).
#   scripts/fuzz.sh [SECONDS]
#   GAILLERY_FUZZ_TARGETS="imaging exif"   only these targets
#
# The build is the workspace's own debug build (dependencies optimised, as for the tests) with
# libFuzzer's coverage instrumentation added to the workspace's crates by scripts/fuzz-rustc.sh:
# it reuses every dependency the tests compiled, on the stable toolchain. libFuzzer is guided by
# the coverage of our code; the dependencies run uninstrumented (`cargo +nightly fuzz run
# <target>` instruments them too, in a build of its own). Afterwards the next `cargo build`
# compiles the workspace's crates again, without the instrumentation.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }

log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*"; }

# Each target with the longest input worth trying: a few small images or upload bodies, a
# TIFF block, a spoken sentence, a cursor. Longer inputs only slow every execution down.
declare -A max_len=([imaging]=16384 [exif]=4096 [voice]=256 [cursor]=128 [multipart]=16384)
read -r -a targets <<<"${GAILLERY_FUZZ_TARGETS:-imaging exif voice cursor multipart}"
for target in "${targets[@]}"; do
  [[ -n "${max_len[$target]:-}" ]] || { echo "unknown fuzz target: $target" >&2; exit 2; }
done

log "building the fuzz targets (the workspace's crates instrumented)"
build_start=$(date +%s)
RUSTC_WORKSPACE_WRAPPER="$root/scripts/fuzz-rustc.sh" cargo build -p gaillery-fuzz --bins
log "built in $(($(date +%s) - build_start)) s"
bin_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gaillery-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
artifacts="$root/target/fuzz-artifacts"

# Runs one target; its output goes to $scratch/<target>.log, its exit status to .status.
run_target() {
  local target=$1 corpus="$scratch/corpus/$1" tmp="$scratch/tmp/$1" status=0
  mkdir -p "$corpus" "$tmp" "$artifacts/$target"
  cp fuzz/corpus/"$target"/* "$corpus"/
  # TMPDIR: the `multipart` target's server keeps its data directory there. The outer timeout
  # only guards against a run that libFuzzer itself cannot stop.
  TMPDIR="$tmp" timeout $((seconds + 300)) "$bin_dir/$target" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -max_len="${max_len[$target]}" \
    -print_final_stats=1 -artifact_prefix="$artifacts/$target/" "$corpus" \
    >"$scratch/$target.log" 2>&1 || status=$?
  rm -rf "$tmp"
  echo "$status" >"$scratch/$target.status"
}

jobs=$(nproc)
log "running each target for ${seconds} s, ${jobs} at a time: ${targets[*]}"
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_target "$target" &
done
wait

failed=()
summary=()
for target in "${targets[@]}"; do
  output="$scratch/$target.log"
  status=$(cat "$scratch/$target.status")
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output" | tail -1)
  if ((status != 0)); then
    tail -n 60 "$output"
    found=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$output" | tail -1)
    echo "FUZZ FAILURE: $target exited with $status; the input: ${found:-none written (see above)}"
    echo "  reproduce: $bin_dir/$target ${found:-}"
    failed+=("$target")
    summary+=("$(printf '%-10s %12s executions  FAILED (%s)' "$target" "${executions:-?}" "${found:-exit $status}")")
  else
    summary+=("$(printf '%-10s %12s executions  ok' "$target" "${executions:-?}")")
  fi
done

log "executions in ${seconds} s per target"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzzing found a problem in: ${failed[*]}" >&2
  exit 1
fi
