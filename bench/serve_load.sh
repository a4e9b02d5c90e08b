#!/usr/bin/env bash
# Load test of `infera serve` with wrk (Debian package wrk) on 127.0.0.1: one model, one
# sample per request (binary tensor extension), dynamic batching on and then off, and
# `infera bench` at the same batch size and threads for the ratio. Not part of ctest (it
# takes minutes and wants a quiet machine).
#
#   bench/serve_load.sh [BUILD_DIR=build] [DURATION=30s] [CONNECTIONS=64]
#   BATCH=32 DELAY_US=2000 THREADS=1 bench/serve_load.sh
#   MODEL=build/models/resnet50.onnx BATCH=8 DELAY_US=50000 THREADS=2 MODES=on \
#     bench/serve_load.sh build 60s 16
# MODEL: any ONNX model with one float32 input whose only free dim is dim 0 (default: the
# bundled Fashion-MNIST model, fed its first test image; other models get seeded random data).
# THREADS is the engine's threads per run in the server and in `infera bench` (0: all cores).
# wrk and the server's I/O thread share the cores with the engine, so 1 is the default.
# PIPELINE (default 1): requests each connection sends before reading the answers.
# MODES: "on off" (default), "on" or "off". ROUNDS (default 1): bench and serve alternate this
# many times, each serve run compared with the mean of the bench runs on either side of it,
# and the median ratio is printed: on a shared machine other work moves every single figure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
duration=${2:-30s}
connections=${3:-64}
model=${MODEL:-models/fashion_mnist/fashion_mnist_cnn.onnx}
batch=${BATCH:-32}
delay_us=${DELAY_US:-2000}
threads=${THREADS:-1}
modes=${MODES:-on off}
rounds=${ROUNDS:-1}
pipeline=${PIPELINE:-1}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[[ -f $model ]] || { echo "no model at $model (build/models: ctest -R zoo_export)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in on off; do
  mkdir -p "$work/repo_$mode/load/1"
  cp "$model" "$work/repo_$mode/load/1/model.onnx"
done
echo "{\"max_batch_size\": $batch, \"max_queue_delay_us\": $delay_us, \"max_queue_size\": 4096, \"threads\": $threads}" \
  > "$work/repo_on/load/config.json"
echo "{\"max_batch_size\": 0, \"max_queue_size\": 4096, \"threads\": $threads}" > "$work/repo_off/load/config.json"

# One sample as a binary-extension request body (its input name and shape come from the model),
# and the same sample repeated to a batch for `infera bench`.
/usr/bin/python3 - "$model" "$work/body.bin" "$work/bench_input.npy" "$batch" <<'EOF'
import gzip, json, sys
import numpy as np
import onnx
model_path, body_path, bench_input_path, batch = sys.argv[1:]
graph = onnx.load(model_path, load_external_data=False).graph
initializers = {i.name for i in graph.initializer}
(spec,) = [i for i in graph.input if i.name not in initializers]
if spec.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
    sys.exit(f"input {spec.name} is not float32")
shape = [1] + [d.dim_value for d in spec.type.tensor_type.shape.dim[1:]]
if 0 in shape:
    sys.exit(f"input {spec.name} has a free dimension after dim 0: {spec.type.tensor_type.shape}")
if shape == [1, 1, 28, 28]:  # Fashion-MNIST: a real test image, ToTensor's scaling
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
        sample = np.frombuffer(f.read(16 + 784)[16:], np.uint8).astype(np.float32) / 255
else:
    sample = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
data = sample.tobytes()
header = json.dumps({"inputs": [{"name": spec.name, "datatype": "FP32", "shape": shape,
                                 "parameters": {"binary_data_size": len(data)}}],
                     "parameters": {"binary_data_output": True}}).encode()
open(body_path, "wb").write(header + data)
open(body_path + ".len", "w").write(str(len(header)))
open(body_path + ".input", "w").write(spec.name)
# `infera bench` runs the same sample, repeated: speed may depend on the data (denormals).
np.save(bench_input_path, np.repeat(sample.reshape(shape), int(batch), axis=0))
print(f"request: input {spec.name} {shape} float32, {len(header) + len(data)} bytes")
EOF
cat > "$work/post.lua" <<EOF
local f = io.open("$work/body.bin", "rb")
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Inference-Header-Content-Length"] = "$(cat "$work/body.bin.len")"
wrk.headers["Content-Type"] = "application/octet-stream"
-- PIPELINE > 1: each connection sends that many requests back to back (HTTP/1.1 pipelining,
-- as in wrk's scripts/pipeline.lua) and reads the answers in order: fewer writes per request
-- for wrk, whose CPU on the same cores otherwise caps what a small model's server can show.
local depth = $pipeline
if depth > 1 then
  init = function(args)
    req = string.rep(wrk.format(), depth)
  end
  request = function()
    return req
  end
end
done = function(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read +
                 summary.errors.write + summary.errors.timeout
  -- wrk times only the first request of a pipelined group: no latency figures then.
  local latencies = depth > 1 and "p50_ms=n/a p99_ms=n/a" or string.format(
      "p50_ms=%.2f p99_ms=%.2f", latency:percentile(50) / 1000, latency:percentile(99) / 1000)
  io.write(string.format("RESULT requests=%d failed=%d rps=%.1f %s\n",
           summary.requests, failed, summary.requests / (summary.duration / 1e6), latencies))
end
EOF

# Mean batch size, and queue and compute time per request, from the server's /metrics.
summarize_metrics() {
  /usr/bin/python3 -c '
import re, sys
values = {}
for m in re.finditer(r"^(infera_\w+)\{([^}]*)\} (\S+)$", sys.stdin.read(), re.M):
    if "outcome=\"failure\"" not in m.group(2):  # queue and compute time count successes only
        values[m.group(1)] = values.get(m.group(1), 0) + float(m.group(3))
requests = values.get("infera_requests_total", 0) or 1
batches = values.get("infera_batch_size_count", 0) or 1
print("METRICS batches=%d mean_batch=%.2f queue_ms_per_request=%.2f compute_ms_per_request=%.2f" % (
    values.get("infera_batch_size_count", 0), values.get("infera_batch_size_sum", 0) / batches,
    1e3 * values.get("infera_queue_seconds_total", 0) / requests,
    1e3 * values.get("infera_compute_seconds_total", 0) / requests))'
}

# `infera bench` between the server runs: other work on a shared machine moves both.
bench_rate() {
  echo "== infera bench --batch $batch --threads $threads" >&2
  "$build/infera" bench "$model" --batch "$batch" --threads "$threads" --json \
    --input "$(cat "$work/body.bin.input")=$work/bench_input.npy" |
    /usr/bin/python3 -c "import json,sys; print('%.2f' % json.load(sys.stdin)['items_per_second'])"
}
cpu_ticks() {  # user + system time of process $1 so far, in clock ticks (proc(5))
  awk '{print $14 + $15}' "/proc/$1/stat"
}
serve_rate() {  # mode: prints wrk's and the server's figures, then leaves the rate in $work/rps
  local mode=$1
  : > "$work/server_$mode.out"  # now, not in the child: the wait below must not see the last run's
  "$build/infera" serve --model-repository "$work/repo_$mode" --port 0 --grpc-port 0 --log-level warn \
    > "$work/server_$mode.out" 2> "$work/server_$mode.err" &
  local pid=$!
  for _ in $(seq 1200); do grep -q listening "$work/server_$mode.out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/server_$mode.out")
  echo "== $model batching $mode (max_batch_size $([[ $mode == on ]] && echo "$batch, max_queue_delay_us $delay_us" || echo 0), threads $threads): wrk -t2 -c$connections -d$duration"
  local cpu_before started
  cpu_before=$(cpu_ticks "$pid")
  started=$(date +%s.%N)
  wrk -t2 -c"$connections" -d"$duration" --timeout 10s -s "$work/post.lua" "http://127.0.0.1:$port/v2/models/load/infer" \
    | grep RESULT | tee "$work/wrk.txt"
  echo "SERVER cpus_used=$(/usr/bin/python3 -c "import os; print('%.2f' % (($(cpu_ticks "$pid") - $cpu_before) / os.sysconf('SC_CLK_TCK') / ($(date +%s.%N) - $started)))")"
  curl -s "http://127.0.0.1:$port/metrics" | summarize_metrics
  kill -TERM "$pid"
  wait "$pid"
  sed -n 's/.* rps=\([0-9.]*\) .*/\1/p' "$work/wrk.txt" > "$work/rps"
}

bench_previous=$(bench_rate)
echo "RESULT bench items_per_second=$bench_previous"
for _ in $(seq "$rounds"); do
  for mode in $modes; do
    serve_rate "$mode"
    rps=$(cat "$work/rps")
    bench_next=$(bench_rate)
    echo "RESULT bench items_per_second=$bench_next"
    echo "$mode $rps $bench_previous $bench_next" >> "$work/rounds"
    bench_previous=$bench_next
  done
done
/usr/bin/python3 - "$work/rounds" <<'EOF'
import statistics, sys
ratios = {}
for line in open(sys.argv[1]):
    mode, rps, before, after = line.split()
    ratios.setdefault(mode, []).append(float(rps) / ((float(before) + float(after)) / 2))
for mode, values in ratios.items():
    print("RATIO batching %s: serve / mean of the bench runs around it = %s; median %.3f" % (
        mode, " ".join("%.3f" % r for r in values), statistics.median(values)))
EOF
