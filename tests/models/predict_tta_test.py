#!/usr/bin/env python3
"""Test-time augmentation end to end: `infera predict --tta` must give the merge of separate
`infera predict` runs on views made independently (PIL's mirror, torchvision's TenCrop,
Resize + CenterCrop), to 1e-6 in every class probability.

  predict_tta_test.py BUILD_DIR

Fashion-MNIST test images 0..39 (28x28 PNGs): flip, ten-crop from the image resized to 32,
and multi-scale 28/32/36, merged by mean of probabilities; flip also by max of probabilities.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageOps
import torchvision.transforms as T

COUNT = 40
TOLERANCE = 1e-6
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.onnx")


def predict(build, files, *options):
    """Every class probability for each file, in order: an array [files, 10]."""
    result = subprocess.run([os.path.join(build, "infera"), "predict", MODEL, *files, "--json",
                             "--top-k", "10", "--batch-size", "7", *options],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"infera predict {' '.join(options)} exited {result.returncode}: {result.stderr}")
    rows = []
    for line in result.stdout.splitlines():
        answer = json.loads(line)
        row = np.zeros(10)
        for entry in answer["top_k"]:
            row[entry["index"]] = entry["probability"]
        rows.append((answer["views"], row))
    return rows


def write_views(out_dir, images, make_views):
    """Each image's views as PNG files; returns [image][view] paths."""
    paths = []
    for i, image in enumerate(images):
        paths.append([])
        for v, view in enumerate(make_views(image)):
            path = os.path.join(out_dir, f"{i:03d}_{v:02d}.png")
            view.save(path)
            paths[-1].append(path)
    return paths


def check(name, build, originals, images, make_views, merge, tta_options):
    with tempfile.TemporaryDirectory() as tmp:
        view_paths = write_views(tmp, images, make_views)
        flat = [p for paths in view_paths for p in paths]
        separate = [row for _, row in predict(build, flat)]
        merged = predict(build, originals, *tta_options)
    worst = 0.0
    start = 0
    for i, paths in enumerate(view_paths):
        rows = np.array(separate[start:start + len(paths)])
        start += len(paths)
        expected = rows.mean(axis=0) if merge == "mean" else rows.max(axis=0)
        views, got = merged[i]
        if views != len(paths):
            sys.exit(f"{name}: image {i} says {views} views, expected {len(paths)}")
        worst = max(worst, float(np.abs(got - expected).max()))
    print(f"{name}: {len(images)} images, largest difference {worst:.2e}")
    return worst <= TOLERANCE


def main():
    build = sys.argv[1]
    pngs = os.path.join(build, "fashion_pngs")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests/fixtures/make_fashion_pngs.py"),
                    pngs, str(COUNT)], check=True)
    originals = [os.path.join(pngs, f"{i:05d}.png") for i in range(COUNT)]
    images = [Image.open(p).convert("L") for p in originals]
    ten_crop = T.Compose([T.Resize(32), T.TenCrop(28)])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec_file:
        spec = json.load(open(os.path.join(ROOT, "models/fashion_mnist/fashion_mnist_cnn.pipeline.json")))
        spec["tta"] = {"mode": "ten_crop", "resize": 32}
        json.dump(spec, spec_file)
    try:
        ok = all([
            check("flip, mean of probabilities", build, originals, images,
                  lambda im: [im, ImageOps.mirror(im)], "mean", ["--tta", "flip"]),
            check("flip, max of probabilities", build, originals, images,
                  lambda im: [im, ImageOps.mirror(im)], "max",
                  ["--tta", "flip", "--tta-merge", "max_probabilities"]),
            check("ten-crop of the image resized to 32", build, originals, images,
                  lambda im: list(ten_crop(im)), "mean", ["--pipeline", spec_file.name]),
            check("multi-scale 28, 32, 36", build, originals, images,
                  lambda im: [T.CenterCrop(28)(T.Resize(s)(im)) for s in (28, 32, 36)], "mean",
                  ["--tta", "multi_scale", "--tta-scales", "28,32,36"]),
        ])
    finally:
        os.unlink(spec_file.name)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
