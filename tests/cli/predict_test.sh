#!/usr/bin/env bash
# End-to-end tests of `infera predict` with bad inputs mixed among good ones: each bad file
# gets one stderr line naming it, every good file is still answered in order, the exit code is
# 1; bad options give exit code 1 and one line naming the option. Also test-time augmentation
# and the decode workers on good runs.
#   tests/cli/predict_test.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: predict_test.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
infera="$build/infera"
model="$root/models/fashion_mnist/fashion_mnist_cnn.onnx"
images="$root/tests/fixtures/images"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  sed 's/^/     /' "$tmp/out" "$tmp/err"
}

# expect NAME CODE STDERR_LINES STDOUT_LINES PATTERN COMMAND...: the exit code, the number of
# stderr and stdout lines, and every stderr line names something matching PATTERN.
expect() {
  local name=$1 code=$2 err_lines=$3 out_lines=$4 pattern=$5
  shift 5
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$? e o
  e=$(wc -l <"$tmp/err")
  o=$(wc -l <"$tmp/out")
  if [[ $got -eq $code && $e -eq $err_lines && $o -eq $out_lines ]] &&
    ! grep -Ev -- "$pattern" "$tmp/err" | grep -q .; then
    pass "$name"
  else
    fail "$name: exit $got (want $code), $e stderr line(s) (want $err_lines), $o stdout line(s) (want $out_lines), stderr lines must match /$pattern/"
  fi
}

# Good files: three greyscale PNGs, one RGB PNG, one JPEG (all resized to 28x28 by the spec).
good=("$images/png_grey8.png" "$images/png_rgb8.png" "$images/jpeg_baseline.jpg"
  "$images/png_palette8.png" "$images/bmp_24.bmp")
mixed="$tmp/mixed"
mkdir -p "$mixed"
for i in "${!good[@]}"; do cp "${good[$i]}" "$mixed/$i-good.${good[$i]##*.}"; done
cp "$images/bad_corrupt.png" "$mixed/1a-corrupt.png"
cp "$images/bad_truncated.jpg" "$mixed/2a-truncated.jpg"
: >"$mixed/3a-empty.png"
cp "$images/bad_not_image.png" "$mixed/4a-not-image.png"
printf 'hello' >"$mixed/0a-text.jpg"
mkdir "$mixed/5a-dir.png"  # a directory named like an image is skipped, not an error
echo "ignored" >"$mixed/notes.txt"

# --- bad files among good ones
expect "missing file among good ones" 1 1 2 "missing\.png" \
  "$infera" predict "$model" "${good[0]}" "$tmp/missing.png" "${good[1]}"
expect "directory of good and bad files" 1 5 5 "(text|corrupt|truncated|empty|not-image)\.(png|jpg)" \
  "$infera" predict "$model" "$mixed" --batch-size 3
# Good answers come in the sorted order of the directory, bad ones in none of them.
if [[ "$(cut -d: -f1 "$tmp/out" | xargs -n1 basename | tr '\n' ' ')" == "0-good.png 1-good.png 2-good.jpg 3-good.png 4-good.bmp " ]]; then
  pass "good files answered in order"
else
  fail "good files answered in order"
fi
expect "bad files in one batch, json" 1 5 10 "(text|corrupt|truncated|empty|not-image)\.(png|jpg)" \
  "$infera" predict "$model" "$mixed" --batch-size 16 --json
if [[ $(grep -c '"error"' "$tmp/out") -eq 5 && $(grep -c '"label"' "$tmp/out") -eq 5 ]]; then
  pass "json answers: 5 errors, 5 labels"
else
  fail "json answers: 5 errors, 5 labels"
fi
expect "every file bad" 1 2 0 "(corrupt|empty)\.png" \
  "$infera" predict "$model" "$mixed/1a-corrupt.png" "$mixed/3a-empty.png"
expect "empty directory" 0 0 0 "^$" "$infera" predict "$model" "$tmp/mixed/5a-dir.png"

# --- bad options: one line naming the option, exit code 1, nothing read
expect "wrong --tta mode" 1 1 0 "--tta must be one of none, flip, five_crop, ten_crop, multi_scale, got 'flop'" \
  "$infera" predict "$model" "${good[0]}" --tta flop
expect "wrong --tta-merge" 1 1 0 "--tta-merge must be one of .*got 'median'" \
  "$infera" predict "$model" "${good[0]}" --tta flip --tta-merge median
expect "multi_scale without sizes" 1 1 0 "'tta.scales' is missing" \
  "$infera" predict "$model" "${good[0]}" --tta multi_scale
expect "multi_scale size below the input" 1 1 0 "has 20, smaller than the 28-pixel crop" \
  "$infera" predict "$model" "${good[0]}" --tta multi_scale --tta-scales 32,20
for bad in 0 -2 x; do
  expect "bad --top-k $bad" 1 1 0 "--top-k" "$infera" predict "$model" "${good[0]}" --top-k "$bad"
  expect "bad --batch-size $bad" 1 1 0 "--batch-size" "$infera" predict "$model" "${good[0]}" --batch-size "$bad"
done

# --- good runs
expect "flip tta" 0 0 5 "^$" "$infera" predict "$model" "${good[@]}" --tta flip --json
if [[ $(grep -c '"views":2' "$tmp/out") -eq 5 ]]; then pass "flip tta: 2 views each"; else fail "flip tta: 2 views each"; fi
expect "ten_crop tta, several images per batch" 0 0 5 "^$" \
  "$infera" predict "$model" "${good[@]}" --tta ten_crop --batch-size 2 --json
if [[ $(grep -c '"views":10' "$tmp/out") -eq 5 ]]; then pass "ten_crop: 10 views each"; else fail "ten_crop: 10 views each"; fi
"$infera" predict "$model" "${good[@]}" --decode-threads 0 --batch-size 1 >"$tmp/serial" 2>&1
expect "three decode workers, one image per batch" 0 0 5 "^$" \
  "$infera" predict "$model" "${good[@]}" --decode-threads 3 --batch-size 1
if diff -q "$tmp/serial" "$tmp/out" >/dev/null; then pass "workers answer as the serial run does"; else fail "workers answer as the serial run does"; fi
expect "verbose and timings" 0 12 5 "(pipeline spec|model input|model output|test-time|good.*view\(s\)|timings|decode workers|main thread)" \
  "$infera" predict "$model" "$mixed/0-good.png" "$mixed/1-good.png" "$mixed/2-good.jpg" "$mixed/3-good.png" "$mixed/4-good.bmp" --verbose --timings

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
