#!/usr/bin/python3
"""Trains the small Fashion-MNIST CNN that Infera's whole-model tests run.

Produced the committed files with exactly one run:

    cd models/fashion_mnist && /usr/bin/python3 train.py

That run (torch 1.13, 2 threads, 4 epochs) took 1693 s of training on the 2-core development
machine while ~8 parallel compiler jobs shared it (load average ~16); on a quiet machine it is
a few minutes. Result: 9095 / 10000 test images correct (90.95%), ONNX file 427 kB.

The export keeps BatchNormalization nodes (TrainingMode.PRESERVE with the model in eval mode;
TrainingMode.EVAL would fold them into the convolutions), so the engine's own BatchNorm folding
has something to fold. Dropout does not appear: in eval mode the exporter emits nothing for it.

Outputs (beside this script):
  fashion_mnist_cnn.onnx     opset 17, input "image" [N,1,28,28] float32 in [0,1], output "logits" [N,10]
  pytorch_reference.json     PyTorch's own accuracy on the 10,000 test images, for the engine to match
  pytorch_predictions.npy    PyTorch's predicted class per test image (uint8), to compare image by image
  labels.txt                 the class names, one per line, in class-index order

The data is read straight from the Debian dataset-fashion-mnist IDX files, so nothing is downloaded.
"""
import gzip
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 20240501
EPOCHS = 4
BATCH_SIZE = 128
LEARNING_RATE = 2e-3
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def read_idx(path):
    """Parses a gzipped big-endian IDX file (magic 0 0 dtype ndim, then ndim u32 dims)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4).astype(np.int64)
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, header says {tuple(dims)}")
    return data.reshape(tuple(dims))


def load_split(split):
    images = read_idx(f"{DATA_DIR}/{split}-images-idx3-ubyte.gz")
    labels = read_idx(f"{DATA_DIR}/{split}-labels-idx1-ubyte.gz")
    # ToTensor convention: uint8 HxW -> float32 1xHxW in [0, 1].
    images = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return images, torch.from_numpy(labels.astype(np.int64))


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.2),
            nn.Linear(32 * 7 * 7, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, image):
        return self.classifier(self.features(image))


def train(model, images, labels):
    generator = torch.Generator().manual_seed(SEED)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps_per_epoch = (len(images) + BATCH_SIZE - 1) // BATCH_SIZE
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LEARNING_RATE, epochs=EPOCHS, steps_per_epoch=steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(EPOCHS):
        order = torch.randperm(len(images), generator=generator)
        total_loss = 0.0
        for start in range(0, len(images), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            optimizer.zero_grad()
            loss = loss_fn(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item() * len(batch)
        print(f"epoch {epoch + 1}/{EPOCHS}: mean loss {total_loss / len(images):.4f}", flush=True)


def predict(model, images):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(images[i:i + 1000]).argmax(dim=1) for i in range(0, len(images), 1000)])


def export_onnx(model, path):
    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), path, opset_version=17,
        input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        # Eval-mode export keeps BatchNormalization and Dropout nodes, which is what the engine's
        # optimizer is meant to fold and drop; TrainingMode.EVAL alone would fold them here.
        training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    train_images, train_labels = load_split("train")
    test_images, test_labels = load_split("t10k")

    model = FashionCnn()
    started = time.time()
    train(model, train_images, train_labels)
    training_seconds = time.time() - started
    print(f"training took {training_seconds:.0f} s")

    onnx_path = os.path.join(OUT_DIR, "fashion_mnist_cnn.onnx")
    export_onnx(model, onnx_path)

    predictions = predict(model, test_images).numpy().astype(np.uint8)
    correct = int((predictions == test_labels.numpy()).sum())
    reference = {
        "test_images": len(test_images),
        "correct": correct,
        "accuracy": correct / len(test_images),
        "torch_version": torch.__version__,
        "argmax_sha256": hashlib.sha256(predictions.tobytes()).hexdigest(),
        "training_seconds": round(training_seconds, 1),
    }
    with open(os.path.join(OUT_DIR, "pytorch_reference.json"), "w") as f:
        json.dump(reference, f, indent=2)
        f.write("\n")
    np.save(os.path.join(OUT_DIR, "pytorch_predictions.npy"), predictions)
    with open(os.path.join(OUT_DIR, "labels.txt"), "w") as f:
        f.write("\n".join(CLASS_NAMES) + "\n")
    print(json.dumps(reference, indent=2))
    print(f"{onnx_path}: {os.path.getsize(onnx_path)} bytes")


if __name__ == "__main__":
    sys.exit(main())
