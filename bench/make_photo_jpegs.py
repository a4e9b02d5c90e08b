#!/usr/bin/env python3
"""Writes N photo-sized JPEGs (640x480, quality 90) for pipeline throughput measurements.

  make_photo_jpegs.py OUT_DIR [N=500]

Each is a different random crop of one of scikit-image's bundled photographs, scaled to
640x480, perhaps mirrored, with a little seeded noise, so no two files decode to the same
pixels. Files are OUT_DIR/photo_000.jpg ...; existing files are kept.
"""
import os
import sys

import numpy as np
from PIL import Image
from skimage import data

PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "immunohistochemistry"]


def main():
    out_dir = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(0)
    sources = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in PHOTOS]
    for i in range(count):
        path = os.path.join(out_dir, f"photo_{i:03d}.jpg")
        source = sources[i % len(sources)]
        w, h = source.size
        cw, ch = int(w * rng.uniform(0.6, 1.0)), int(h * rng.uniform(0.6, 1.0))
        left, top = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        image = source.crop((left, top, left + cw, top + ch)).resize((640, 480), Image.BILINEAR)
        if rng.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        pixels = np.asarray(image, dtype=np.int16) + rng.integers(-8, 9, (480, 640, 3))
        Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, quality=90)


if __name__ == "__main__":
    main()
