#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER for scripts/fuzz.sh: compiles the workspace's own crates with
# libFuzzer's coverage instrumentation (what cargo-fuzz adds to every crate), and leaves build
# scripts alone (they run at build time, where libFuzzer is not linked).
rustc="$1"
shift
case " $* " in
  *" --crate-name build_script_"*) exec "$rustc" "$@" ;;
esac
exec "$rustc" "$@" --cfg fuzzing \
  -Cpasses=sancov-module \
  -Cllvm-args=-sanitizer-coverage-level=4 \
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
  -Cllvm-args=-sanitizer-coverage-pc-table \
  -Cllvm-args=-sanitizer-coverage-trace-compares
