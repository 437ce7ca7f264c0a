#!/usr/bin/env bash
# Runs every check and test: formatting, lints, unit and integration tests, then the browser
# tests against the server the tests built and the release build of the browser app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
# The pinned wasm-opt (tools/package.json) comes before any other on the PATH.
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# Each step prints the minutes elapsed so far and the disk left: CI has a time budget and a
# shared disk.
step() {
    printf '\n\033[1m== %s (at %dm%02ds, %s free) ==\033[0m\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)) \
        "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}

# Clippy is the compiler of the workspace's own crates (dependencies go through rustc as usual):
# what `cargo clippy -- -D warnings` reports fails the build, and the test build and the WASM
# build are the only compilations, instead of a `cargo clippy` pass before each. Every cargo
# command below sees the same two variables; a change to them would compile the workspace again.
# `__CLIPPY_HACKERY__` separates the arguments in CLIPPY_ARGS, as `cargo clippy` writes them.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

step "format, and the crate graph in docs/architecture.md"
cargo fmt --all -- --check
python3 scripts/check-crate-graph.py

step "dependencies: licences, duplicate versions, sources, advisories (cargo deny)"
scripts/deny.sh

step "build and lint the server, the tests and the benchmarks"
# The WASM entry (frontend) is left out of host builds: with it, cargo would unify the app's
# `hydrate` and `ssr` features, and the server would run browser-only effects.
cargo test --workspace --exclude frontend --all-targets --no-run

step "unit and integration tests"
cargo test --workspace --exclude frontend

step "build and lint the browser app (WASM, release profile)"
cargo leptos build --release --precompress --frontend-only

step "browser tests (Playwright, chromium)"
# The server is the `gaillery` binary the tests above built (same code, the test profile).
(cd end2end && GAILLERY_E2E_BIN="$PWD/../target/debug/gaillery" npx playwright test)

step "fuzz every input path for 60 s (scripts/fuzz.sh)"
# Last: it compiles the workspace's crates again with coverage instrumentation.
scripts/fuzz.sh 60
step "done"
