#!/usr/bin/env bash
# Sets up what is missing, builds the release, and runs GAiLLERY at http://127.0.0.1:3000 with
# its data in ./data (override with GAILLERY_ADDR, GAILLERY_DATA_DIR or `-- --flag`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The pinned wasm-opt (tools/package.json) comes before any other on the PATH.
export PATH="$PWD/tools/node_modules/.bin:$PATH"
cargo leptos build --release --precompress
exec target/release/gaillery serve "$@"
