#!/usr/bin/env bash
# Set up, build, and run the whole test suite (unit, ONNX conformance, whole models, CLI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
INFERA_SETUP_TESTS=1 bash scripts/setup.sh
echo "== running the test suite"
ctest --test-dir build --output-on-failure --timeout 1500
