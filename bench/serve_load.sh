#!/usr/bin/env bash
# Load test of `infera serve` with wrk (Debian package wrk) on 127.0.0.1: the Fashion-MNIST
# model, one image per request (binary tensor extension), dynamic batching on and then off,
# and `infera bench` at the same batch size for the ratio. Not part of ctest (it takes a
# minute and wants a quiet machine).
#
#   bench/serve_load.sh [BUILD_DIR=build] [DURATION=30s] [CONNECTIONS=64]
#   BATCH=32 DELAY_US=2000 THREADS=1 bench/serve_load.sh
# THREADS is the engine's threads per run in the server and in `infera bench` (0: all cores).
# wrk and the server's I/O thread share the cores with the engine, so 1 is the default.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
duration=${2:-30s}
connections=${3:-64}
batch=${BATCH:-32}
delay_us=${DELAY_US:-2000}
threads=${THREADS:-1}
model=models/fashion_mnist/fashion_mnist_cnn.onnx
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in on off; do
  mkdir -p "$work/repo_$mode/fashion/1"
  cp "$model" "$work/repo_$mode/fashion/1/model.onnx"
done
echo "{\"max_batch_size\": $batch, \"max_queue_delay_us\": $delay_us, \"max_queue_size\": 4096, \"threads\": $threads}" \
  > "$work/repo_on/fashion/config.json"
echo "{\"max_batch_size\": 0, \"max_queue_size\": 4096, \"threads\": $threads}" > "$work/repo_off/fashion/config.json"

# One test image as a binary-extension request body.
/usr/bin/python3 - "$work/body.bin" <<'EOF'
import gzip, json, sys
import numpy as np
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
    image = (np.frombuffer(f.read(16 + 784)[16:], np.uint8).astype(np.float32) / 255).tobytes()
header = json.dumps({"inputs": [{"name": "image", "datatype": "FP32", "shape": [1, 1, 28, 28],
                                 "parameters": {"binary_data_size": len(image)}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(sys.argv[1], "wb").write(header + image)
open(sys.argv[1] + ".len", "w").write(str(len(header)))
EOF
cat > "$work/post.lua" <<EOF
local f = io.open("$work/body.bin", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Inference-Header-Content-Length"] = "$(cat "$work/body.bin.len")"
wrk.headers["Content-Type"] = "application/octet-stream"
done = function(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d failed=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
           summary.requests, failed, summary.requests / (summary.duration / 1e6),
           latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF

for mode in on off; do
  "$build/infera" serve --model-repository "$work/repo_$mode" --port 0 --log-level warn \
    > "$work/server_$mode.out" 2> "$work/server_$mode.err" &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$work/server_$mode.out" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/server_$mode.out")
  echo "== batching $mode (max_batch_size $([[ $mode == on ]] && echo "$batch, max_queue_delay_us $delay_us" || echo 0)): wrk -t2 -c$connections -d$duration"
  wrk -t2 -c"$connections" -d"$duration" --timeout 10s -s "$work/post.lua" "http://127.0.0.1:$port/v2/models/fashion/infer" \
    | grep RESULT
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^infera_batch_size_(sum|count)' || true
  kill -TERM "$pid"
  wait "$pid"
done
echo "== infera bench --batch $batch --threads $threads"
"$build/infera" bench "$model" --batch "$batch" --threads "$threads" --json | /usr/bin/python3 -c \
  "import json,sys; print('RESULT bench items_per_second=%.1f' % json.load(sys.stdin)['items_per_second'])"
