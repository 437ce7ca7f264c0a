#!/usr/bin/env bash
# Runs every check and test: formatting, lints (server and WASM builds), unit and integration
# tests, then the browser tests against a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The pinned wasm-opt (tools/package.json) comes before any other on the PATH.
export PATH="$PWD/tools/node_modules/.bin:$PATH"
# Each step prints the minutes elapsed so far and the disk left: CI has a time budget and a
# shared disk.
step() {
    printf '\n\033[1m== %s (at %dm%02ds, %s free) ==\033[0m\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)) \
        "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}
if [[ "${CI:-}" == "true" ]]; then
    # A one-off build gains nothing from incremental caches, which take gigabytes.
    export CARGO_INCREMENTAL=0
fi

step "format"
cargo fmt --all -- --check

step "lint (server build)"
# The WASM entry (frontend) is left out of host builds: with it, cargo would unify the app's
# `hydrate` and `ssr` features, and the server would run browser-only effects.
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
step "lint (browser build)"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "unit and integration tests"
cargo test --workspace --exclude frontend
if [[ "${CI:-}" == "true" ]]; then
    # The release build shares nothing with the test build: give its disk back first.
    cargo clean --profile dev
fi

step "release build"
cargo leptos build --release --precompress

step "browser tests (Playwright, chromium)"
(cd end2end && npx playwright test)
step "done"
