#!/usr/bin/env bash
# Installs the S3- and DynamoDB-compatible servers that the storage tests start on 127.0.0.1
# (see testkit/src/servers.rs), pinned, outside the clone so later runs reuse them:
#   s3s-fs 0.14.1     ~/.cargo/bin/s3s-fs            (checks signatures, presigned URLs too)
#   moto[server] 5.2.5 ~/.cache/gaillery/moto-5.2.5/  (DynamoDB with transactions, in memory)
# Safe to run again: it only installs what is missing.
set -euo pipefail
S3S_FS_VERSION=0.14.1
MOTO_VERSION=5.2.5
log() { printf '\033[1m[test-servers]\033[0m %s\n' "$*"; }

s3s_fs="${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs"
if [[ ! -x "$s3s_fs" ]] || ! grep -q "s3s-fs v$S3S_FS_VERSION" "${CARGO_HOME:-$HOME/.cargo}/.crates.toml" 2>/dev/null; then
  log "installing s3s-fs $S3S_FS_VERSION (about 5 minutes on 2 cores, once)"
  cargo install --locked "s3s-fs@$S3S_FS_VERSION" --features binary
fi

moto_venv="${XDG_CACHE_HOME:-$HOME/.cache}/gaillery/moto-$MOTO_VERSION"
if [[ ! -x "$moto_venv/bin/moto_server" ]]; then
  log "installing moto[server] $MOTO_VERSION into $moto_venv"
  rm -rf "$moto_venv"
  mkdir -p "$(dirname "$moto_venv")"
  python3 -m venv "$moto_venv"
  "$moto_venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
fi
