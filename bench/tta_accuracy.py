#!/usr/bin/env python3
"""Accuracy of the Fashion-MNIST model on its test set, as PNG files through `infera predict`,
without test-time augmentation and with each given mode; the labels are the dataset's own.

  bench/tta_accuracy.py [--build DIR] [--count 10000] [--modes flip,multi_scale:28,32]

Modes are separated by commas; multi_scale takes its sizes after a colon, joined by '+'
(multi_scale:28+32+36).

The PNGs come from tests/fixtures/make_fashion_pngs.py into BUILD/fashion_pngs_all (made
once). Prints, per mode, the accuracy, the change from no TTA, how many answers changed, and
the --timings summary of the run.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LABELS = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz"


def predict(build, model, pngs, tta):
    """`tta` is a mode, or multi_scale:S1,S2,... with its sizes."""
    mode, _, scales = tta.partition(":")
    extra = ["--tta-scales", scales.replace("+", ",")] if scales else []
    result = subprocess.run([os.path.join(build, "infera"), "predict", model, pngs, "--json",
                             "--batch-size", "64", "--timings", "--tta", mode, *extra],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"infera predict --tta {tta} exited {result.returncode}: {result.stderr}")
    return [json.loads(line)["index"] for line in result.stdout.splitlines()], result.stderr


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--modes", default="flip")
    args = parser.parse_args()
    pngs = os.path.join(args.build, "fashion_pngs_all")
    if len([f for f in os.listdir(pngs) if f.endswith(".png")] if os.path.isdir(pngs) else []) < args.count:
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/make_fashion_pngs.py"),
                        pngs, str(args.count)], check=True)
    with gzip.open(LABELS, "rb") as f:
        labels = np.frombuffer(f.read()[8:], dtype=np.uint8)[:args.count]
    model = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.onnx")
    base, timings = predict(args.build, model, pngs, "none")
    base = np.array(base[:args.count])
    base_accuracy = float((base == labels).mean())
    print(f"no TTA: accuracy {base_accuracy:.4f} ({int((base == labels).sum())}/{args.count})")
    print(timings.rstrip())
    for mode in args.modes.split(","):
        answers, timings = predict(args.build, model, pngs, mode)
        answers = np.array(answers[:args.count])
        accuracy = float((answers == labels).mean())
        print(f"{mode}: accuracy {accuracy:.4f} ({int((answers == labels).sum())}/{args.count}), "
              f"{100 * (accuracy - base_accuracy):+.2f} points, {int((answers != base).sum())} "
              f"answers changed ({int(((answers == labels) & (base != labels)).sum())} fixed, "
              f"{int(((answers != labels) & (base == labels)).sum())} broken)")
        print(timings.rstrip())


if __name__ == "__main__":
    main()
