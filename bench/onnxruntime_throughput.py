#!/usr/bin/env python3
"""ONNX Runtime's side of bench/classify-vs-onnxruntime.sh.

  onnxruntime_throughput.py export MODEL MODEL_DIR OUT.onnx   (needs torch, torchvision,
      efficientnet_lite_pytorch): the same network as ours, exported from PyTorch; for
      efficientnet-lite0 with the same weights (models/efficientnet-lite0-57934424.pth), for
      resnet50 with torchvision's random initialisation (throughput does not depend on values).
  onnxruntime_throughput.py run MODEL OUT.onnx BATCH   (needs only onnxruntime and numpy):
      prints one JSON line like the candle example's, timing in a process of its own so peak
      memory is ONNX Runtime's alone.
"""
import json
import os
import resource
import sys
import time


def export(model, model_dir, out):
    import torch

    if model == "efficientnet-lite0":
        from efficientnet_lite_pytorch import EfficientNet

        net = EfficientNet.from_name("efficientnet-lite0")
        state = torch.load(os.path.join(model_dir, "efficientnet-lite0-57934424.pth"), map_location="cpu", weights_only=False)
        net.load_state_dict(state)
    else:
        import torchvision

        net = torchvision.models.resnet50()
    net.eval()
    dummy = torch.rand(1, 3, 224, 224)
    torch.onnx.export(
        net, dummy, out, input_names=["input"], output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False,
    )


def run(model, onnx_path, batch):
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    x = np.random.rand(batch, 3, 224, 224).astype(np.float32)
    session.run(None, {"input": x})  # warm-up
    runs = max(32 // batch, 5)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, {"input": x})
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"engine": "onnxruntime", "model": model, "batch": batch,
                      "median_ms": round(median * 1000, 1), "images_per_second": round(batch / median, 2),
                      "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
