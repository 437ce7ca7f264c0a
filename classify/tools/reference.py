#!/usr/bin/env python3
"""Computes, once, the PyTorch references that the classify tests compare candle against.

1. EfficientNet-Lite0 with the real weights (models/efficientnet-lite0-57934424.pth) on the
   test photos (models/testdata, from scripts/fetch-models.sh): the top 5 classes and their
   probabilities per photo -> tests/fixtures/efficientnet_lite0_reference.json.
   The model is lukemelas-style `efficientnet_lite_pytorch` (PyPI); preprocessing is done
   with Pillow the way torchvision's Resize(256) + CenterCrop(224) does it, in one bilinear
   resampling of the crop box.
2. ResNet50 (torchvision) with weights from a counter-based generator that the Rust test
   reproduces exactly (see `generated_weights` in tests/resnet50_parity.rs), on a generated
   input: the 1000 logits -> tests/fixtures/resnet50_generated_logits.json.

Set-up (a throwaway virtualenv; not needed to run the tests):
  python3 -m venv /tmp/refenv
  /tmp/refenv/bin/pip install torch torchvision efficientnet_lite_pytorch==0.1.0 pillow numpy
  /tmp/refenv/bin/python classify/tools/reference.py
"""
import json
import math
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIXTURES = os.path.join(ROOT, "classify", "tests", "fixtures")
MODELS = os.environ.get("GAILLERY_MODEL_DIR", os.path.join(ROOT, "models"))
PHOTOS = ["chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "astronaut.png"]


def round_half_away(x):
    return math.floor(x + 0.5)


def center_crop(path, resize_shorter=256, crop=224):
    img = ImageOps.exif_transpose(Image.open(path))
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    img = img.convert("RGB")
    w, h = img.size
    scale = resize_shorter / min(w, h)
    rw, rh = round_half_away(w * scale), round_half_away(h * scale)
    left, top = round_half_away((rw - crop) / 2), round_half_away((rh - crop) / 2)
    sx, sy = rw / w, rh / h
    box = (left / sx, top / sy, (left + crop) / sx, (top + crop) / sy)
    return np.asarray(img.resize((crop, crop), Image.BILINEAR, box=box), dtype=np.float32)


def efficientnet_reference():
    from efficientnet_lite_pytorch import EfficientNet

    model = EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(
        os.path.join(MODELS, "efficientnet-lite0-57934424.pth"), map_location="cpu", weights_only=False
    )
    model.load_state_dict(state)
    model.eval()
    results = []
    for photo in PHOTOS:
        pixels = (center_crop(os.path.join(MODELS, "testdata", photo)) - 127.0) / 128.0
        x = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0)
        with torch.no_grad():
            probabilities = torch.softmax(model(x), dim=1)[0]
        top = torch.topk(probabilities, 5)
        results.append(
            {
                "photo": photo,
                "top5": [
                    {"class": int(i), "probability": float(p)}
                    for p, i in zip(top.values, top.indices)
                ],
            }
        )
        print(photo, results[-1]["top5"][:3], file=sys.stderr)
    return results


MASK = (1 << 64) - 1


def splitmix64(x):
    """Vectorised SplitMix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(MASK)
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(MASK)
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(MASK)
    return x ^ (x >> np.uint64(31))


def uniform(stream, count):
    """`count` numbers in [-1, 1) for stream number `stream`: splitmix64(stream << 32 | i)."""
    with np.errstate(over="ignore"):
        i = np.arange(count, dtype=np.uint64) | (np.uint64(stream) << np.uint64(32))
        bits = splitmix64(i) >> np.uint64(40)  # 24 random bits
    return (bits.astype(np.float64) / float(1 << 23) - 1.0).astype(np.float32)


def generated_tensor(stream, name, shape):
    """The same rule as the Rust test: He-scaled conv/linear weights, gentle batch norms."""
    n = int(np.prod(shape))
    u = uniform(stream, n)
    if name.endswith("running_var"):
        values = 1.0 + 0.5 * np.abs(u)
    elif name.endswith("running_mean") or name.endswith(".bias"):
        values = 0.1 * u
    elif len(shape) == 1:  # batch-norm weight
        values = 1.0 + 0.1 * u
    else:
        fan_in = int(np.prod(shape[1:]))
        values = u * math.sqrt(6.0 / fan_in) * 0.5
    return values.astype(np.float32).reshape(shape)


def resnet50_reference():
    import torchvision

    model = torchvision.models.resnet50()
    state = model.state_dict()
    names = [k for k in state if not k.endswith("num_batches_tracked")]
    for stream, name in enumerate(sorted(names)):
        state[name] = torch.from_numpy(generated_tensor(stream, name, tuple(state[name].shape)))
    model.load_state_dict(state)
    model.eval()
    x = torch.from_numpy(uniform(1 << 20, 2 * 3 * 224 * 224).reshape(2, 3, 224, 224))
    with torch.no_grad():
        logits = model(x)
    return {"input_stream": 1 << 20, "batch": 2, "logits": logits.tolist()}


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "efficientnet_lite0_reference.json"), "w") as f:
        json.dump({"torch": torch.__version__, "photos": efficientnet_reference()}, f, indent=1)
    with open(os.path.join(FIXTURES, "resnet50_generated_logits.json"), "w") as f:
        json.dump({"torch": torch.__version__, **resnet50_reference()}, f)


if __name__ == "__main__":
    main()
