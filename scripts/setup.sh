#!/usr/bin/env bash
# Installs the Debian packages Infera needs (only when one is missing, so a second run is
# instant) and builds into build/. Sourced by main_job.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Build: compiler, CMake, and the libraries linked in (docs/DECISIONS.md says why each).
BUILD_PACKAGES=(g++ cmake make pkg-config libgtest-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
                libpng-dev libjpeg62-turbo-dev libdnnl-dev ocl-icd-opencl-dev libcairo2-dev
                fonts-dejavu-core)
# Data for the main job: the Fashion-MNIST test images.
MAIN_PACKAGES=(dataset-fashion-mnist)
# Tests: ONNX backend test data, and PyTorch + onnx to export reference models.
TEST_PACKAGES=(libonnx-testdata python3-numpy python3-onnx python3-torch python3-torchvision
               python3-pil python3-skimage python3-sklearn)
# Benchmarks only (bench/serve_load.sh): the HTTP load generator. Not installed by default.
BENCH_PACKAGES=(wrk)

wanted=("${BUILD_PACKAGES[@]}" "${MAIN_PACKAGES[@]}")
if [[ "${INFERA_SETUP_TESTS:-0}" == 1 ]]; then wanted+=("${TEST_PACKAGES[@]}"); fi
if [[ "${INFERA_SETUP_BENCH:-0}" == 1 ]]; then wanted+=("${BENCH_PACKAGES[@]}"); fi

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

echo "== building into build/"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j "$(nproc)"
