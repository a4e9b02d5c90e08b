#!/usr/bin/env python3
"""`infera predict --json` on the first 1,000 Fashion-MNIST test images, written as PNG files,
must give exactly PyTorch's predicted class for every one (models/fashion_mnist/
pytorch_predictions.npy). This covers decode -> spec -> preprocess -> run -> postprocess.

  predict_fashion_mnist_test.py BUILD_DIR
"""
import json
import os
import subprocess
import sys

import numpy as np

COUNT = 1000


def main():
    build = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    pngs = os.path.join(build, "fashion_pngs")
    subprocess.run([sys.executable, os.path.join(root, "tests/fixtures/make_fashion_pngs.py"),
                    pngs, str(COUNT)], check=True)
    model = os.path.join(root, "models/fashion_mnist/fashion_mnist_cnn.onnx")
    result = subprocess.run([os.path.join(build, "infera"), "predict", model, pngs, "--json",
                             "--batch-size", "64"], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"infera predict exited {result.returncode}: {result.stderr.strip()}")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    expected = np.load(os.path.join(root, "models/fashion_mnist/pytorch_predictions.npy"))[:COUNT]
    if len(answers) != COUNT:
        sys.exit(f"expected {COUNT} answers, got {len(answers)}")
    labels = [l.rstrip("\n") for l in open(os.path.join(root, "models/fashion_mnist/labels.txt"))]
    mismatches = 0
    for i, answer in enumerate(answers):
        name = os.path.basename(answer["file"])
        want = int(expected[i])
        if name != f"{i:05d}.png" or answer["index"] != want or answer["label"] != labels[want]:
            mismatches += 1
            if mismatches <= 10:
                print(f"MISMATCH {name}: infera {answer['index']} {answer['label']!r}, "
                      f"PyTorch {want} {labels[want]!r}")
    print(f"{COUNT - mismatches}/{COUNT} match PyTorch")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
