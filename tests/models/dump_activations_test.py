#!/usr/bin/env python3
"""`infera inspect --sample --dump-activations` against PyTorch's own intermediate tensors.

The bundled Fashion-MNIST model is rebuilt as its PyTorch module (models/fashion_mnist/train.py)
with the ONNX file's weights; forward hooks record every layer's output for one test image.
Every dumped tensor of a node that maps to a layer ("/features/features.4/Conv" -> features.4)
must equal PyTorch's, the summary's statistics must equal numpy's on the dumped file, and an
image sample must give the same input tensor as the .npy route.

  dump_activations_test.py BUILD_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "fashion_mnist", "fashion_mnist_cnn.onnx")
sys.path.insert(0, os.path.join(ROOT, "models", "fashion_mnist"))
import train  # noqa: E402  (the module that defines and trained the network)

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def torch_layers(image):
    model = train.FashionCnn().eval()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in onnx.load(MODEL).graph.initializer}
    state = model.state_dict()
    for name in state:
        if name in weights:
            state[name] = weights[name]
    model.load_state_dict(state)
    outputs = {}
    for name, module in model.named_modules():
        if name.count(".") == 1:
            module.register_forward_hook(
                lambda m, i, o, name=name: outputs.__setitem__(name, o.detach().numpy()))
    with torch.no_grad():
        model(torch.from_numpy(image))
    return outputs


def main():
    infera = os.path.join(sys.argv[1], "infera")
    images = train.read_idx("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    image = (images[7].astype(np.float32) / 255.0).reshape(1, 1, 28, 28)
    reference = torch_layers(image)
    with tempfile.TemporaryDirectory() as tmp:
        sample = os.path.join(tmp, "sample.npy")
        np.save(sample, image)
        out = os.path.join(tmp, "dump")
        subprocess.run([infera, "inspect", MODEL, "--sample", sample, "--dump-activations", out],
                       check=True, stdout=subprocess.DEVNULL)
        summary = json.load(open(os.path.join(out, "summary.json")))
        check(len(summary) == 1 + len(onnx.load(MODEL).graph.node),
              f"one entry per node output plus the input ({len(summary)})")
        compared = 0
        for entry in summary:
            data = np.load(os.path.join(out, entry["file"]))
            stats_ok = (list(data.shape) == entry["shape"] and
                        np.isclose(data.min(), entry["min"]) and np.isclose(data.max(), entry["max"])
                        and np.isclose(data.mean(), entry["mean"], atol=1e-6)
                        and entry["nan"] == 0 and entry["inf"] == 0)
            check(stats_ok, f"{entry['name']}: summary matches numpy on the file")
            layer = re.match(r"^/(features|classifier)/(\w+\.\d+)/", entry["node"])
            if layer and layer.group(2) in reference:
                want = reference[layer.group(2)]
                diff = np.abs(data - want).max() / max(np.abs(want).max(), 1e-6)
                check(data.shape == want.shape and diff < 1e-5,
                      f"{entry['name']} equals PyTorch's {layer.group(2)} (rel diff {diff:.2e})")
                compared += 1
        logits = np.load(os.path.join(out, summary[-1]["file"]))
        want = reference["classifier.4"]
        check(summary[-1]["name"] == "logits" and np.abs(logits - want).max() < 1e-4,
              "the last tensor is the model's logits, equal to PyTorch's")
        check(compared >= 10, f"{compared} layers compared with PyTorch")
        check(np.array_equal(np.load(os.path.join(out, summary[0]["file"])), image),
              "the first tensor is the sample")

        # An image file goes through the model's pipeline spec: same input as the .npy route.
        from PIL import Image
        png = os.path.join(tmp, "sample.png")
        Image.fromarray(images[7]).save(png)
        out_png = os.path.join(tmp, "dump_png")
        subprocess.run([infera, "inspect", MODEL, "--sample", png, "--dump-activations", out_png],
                       check=True, stdout=subprocess.DEVNULL)
        first = json.load(open(os.path.join(out_png, "summary.json")))[0]
        check(np.abs(np.load(os.path.join(out_png, first["file"])) - image).max() < 1e-6,
              "an image sample gives the pipeline's input tensor")

        # Optimized: fused nodes, fewer entries, same logits.
        out_opt = os.path.join(tmp, "dump_opt")
        subprocess.run([infera, "inspect", MODEL, "--sample", sample, "--dump-activations", out_opt,
                        "--optimized"], check=True, stdout=subprocess.DEVNULL)
        opt = json.load(open(os.path.join(out_opt, "summary.json")))
        check(len(opt) < len(summary) and
              np.abs(np.load(os.path.join(out_opt, opt[-1]["file"])) - want).max() < 1e-4,
              f"--optimized dumps the fused graph ({len(opt)} entries) with the same logits")
    print(f"{len(failures) == 0 and 'all' or len(failures)} {'checks passed' if not failures else 'failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
