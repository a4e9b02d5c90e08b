#!/usr/bin/env bash
# Smoke test of `infera bench`: three runs of the Fashion-MNIST model give JSON with every
# field bench/compare_ort reads, and --profile adds the per-op breakdown. No timing thresholds:
# this checks the tool, not the speed.
#   tests/bench/bench_smoke_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: bench_smoke_test.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
model="$root/models/fashion_mnist/fashion_mnist_cnn.onnx"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/infera" bench "$model" --iterations 3 --warmup 1 --threads 1 --batch 2 --profile \
  --save-inputs "$tmp/in" --save-output "$tmp/out" --json >"$tmp/bench.json"
/usr/bin/python3 - "$tmp/bench.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
wanted = ["model", "inputs", "batch", "threads", "precision", "load_seconds", "prepare_seconds", "first_run_seconds",
          "iterations", "latencies_seconds", "min_seconds", "median_seconds", "p90_seconds",
          "items_per_second", "arena_bytes", "peak_rss_bytes", "current_rss_bytes", "profile"]
missing = [k for k in wanted if k not in result]
assert not missing, f"missing fields: {missing}"
assert result["iterations"] == 3 and len(result["latencies_seconds"]) == 3, result["iterations"]
assert result["batch"] == 2 and result["inputs"][0]["shape"][0] == 2, result["inputs"]
assert result["min_seconds"] <= result["median_seconds"] <= result["p90_seconds"]
assert result["peak_rss_bytes"] > 0 and result["arena_bytes"] > 0
profile = result["profile"]
assert profile["by_op"] and profile["by_node"], "empty profile"
assert abs(sum(r["percent"] for r in profile["by_op"]) - 100) < 1e-6
assert all(k in profile["by_node"][0] for k in ("op", "kernel", "shape", "seconds_per_run"))
print("ok: bench JSON has every field;", len(profile["by_op"]), "op types profiled")
PY
ls "$tmp/in"/*.npy "$tmp/out"/*.npy >/dev/null

# The inputs it saved feed it back; a bad option is a user error; text output has the medians.
"$build/infera" bench "$model" --iterations 1 --threads 1 --input "$(basename "$tmp"/in/*.npy .npy)=$(ls "$tmp"/in/*.npy)" >/dev/null
if "$build/infera" bench "$model" --iterations 0 2>"$tmp/err"; then
  echo "FAIL: --iterations 0 was accepted"; exit 1
fi
grep -q "iterations" "$tmp/err"
"$build/infera" bench "$model" --iterations 2 --threads 1 | grep -q "median"
"$build/infera" bench "$model" --iterations 2 --threads 1 --busy-core --json | grep -q '"busy_core": true'
echo "ok: text output, --input, --busy-core and argument errors"
