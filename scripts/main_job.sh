#!/usr/bin/env bash
# The main job: set up, build, and evaluate the bundled Fashion-MNIST model on the 10,000
# test images; the accuracy must equal PyTorch's (models/fashion_mnist/pytorch_reference.json).
# The full report (metrics, 4x4 prediction grid, confusion matrix, reliability diagram) goes to
# build/report/index.html.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
echo "== evaluating the bundled model on the Fashion-MNIST test set"
./build/infera eval models/fashion_mnist/fashion_mnist_cnn.onnx \
  --data idx:/usr/share/datasets/fashion-mnist/t10k \
  --reference models/fashion_mnist/pytorch_reference.json \
  --report build/report --grid 4x4 --seed 6
