#!/usr/bin/env bash
# How close `infera predict` (decode JPEG + preprocess + run + answer) comes to `infera bench`
# (the model alone, on ready tensors) for the same model, batch size and threads.
#
#   bench/predict_throughput.sh [--build DIR] [--models DIR] [--images N] [--batch N] [--threads N]
#
# Defaults: build/, build/models (from `ctest -R zoo_export`), 500 photo-sized JPEGs (640x480,
# made once by bench/make_photo_jpegs.py into BUILD/photo_jpegs), batch 8, threads 0 (all).
# Predict's rate is images / the time from the first file read to the last answer written
# (its --timings line), so model load is left out on both sides; bench's is its
# items_per_second (batch / median run). Prints both and their ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
models=""
count=500
batch=8
threads=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) build=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --images) count=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done
models=${models:-$build/models}
model="$models/resnet50.onnx"
[[ -f $model ]] || { echo "no $model: run ctest -R zoo_export (or pass --models DIR)" >&2; exit 1; }
images="$build/photo_jpegs"
/usr/bin/python3 "$root/bench/make_photo_jpegs.py" "$images" "$count"
mapfile -t files < <(ls "$images"/photo_*.jpg | sort | head -n "$count")

predict_log=$(mktemp)
trap 'rm -f "$predict_log"' EXIT
"$build/infera" predict "$model" "${files[@]}" --pipeline "$root/bench/resnet50.pipeline.json" \
  --batch-size "$batch" --threads "$threads" --timings >/dev/null 2>"$predict_log"
cat "$predict_log"
predict_rate=$(sed -n 's/^timings: .* s, \([0-9.]*\) images\/s$/\1/p' "$predict_log")

bench_json=$("$build/infera" bench "$model" --batch "$batch" --threads "$threads" --json \
  --iterations $(( (count + batch - 1) / batch < 20 ? (count + batch - 1) / batch : 20 )))
bench_rate=$(echo "$bench_json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["items_per_second"])')

/usr/bin/python3 - "$predict_rate" "$bench_rate" "$count" "$batch" "$threads" <<'PY'
import sys
predict, bench, count, batch, threads = float(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:]
print(f"resnet50, {count} JPEGs 640x480, batch {batch}, threads {threads}:")
print(f"  infera predict  {predict:8.2f} images/s")
print(f"  infera bench    {bench:8.2f} images/s")
print(f"  ratio           {predict / bench:8.3f}")
PY
