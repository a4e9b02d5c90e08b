#!/usr/bin/env bash
# End-to-end tests of the `infera` command: good runs, and every kind of bad input giving exit
# code 1 with one line that names what was expected and what came.
#   tests/cli/cli_test.sh BUILD_DIR
set -uo pipefail
build=${1:?usage: cli_test.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
infera="$build/infera"
model="$root/models/fashion_mnist/fashion_mnist_cnn.onnx"
fixtures="$root/tests/fixtures/cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect_error NAME PATTERN COMMAND...: exit code 1, exactly one stderr line matching PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$? lines
  lines=$(wc -l <"$tmp/err")
  if [[ $code -eq 1 && $lines -eq 1 ]] && grep -Eq -- "$pattern" "$tmp/err"; then
    passed=$((passed + 1))
    echo "ok   $name: $(cat "$tmp/err")"
  else
    failed=$((failed + 1))
    echo "FAIL $name: exit $code, $lines stderr line(s), wanted /$pattern/:"
    sed 's/^/     /' "$tmp/err"
  fi
}

# expect_ok NAME PATTERN COMMAND...: exit code 0 and stdout matching PATTERN.
expect_ok() {
  local name=$1 pattern=$2
  shift 2
  if "$@" >"$tmp/out" 2>"$tmp/err" && grep -Eq -- "$pattern" "$tmp/out"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name:"
    sed 's/^/     /' "$tmp/out" "$tmp/err"
  fi
}

# --- good runs
expect_ok "inspect shows inputs and opsets" "image: float32 \[batch, 1, 28, 28\]" "$infera" inspect "$model"
expect_ok "inspect --json" '"parameters"' "$infera" inspect "$model" --json
expect_ok "run writes logits" "logits: float32 \[1, 10\]" \
  "$infera" run "$model" --input "image=$fixtures/good_image.npy" --output-dir "$tmp/out_dir"
[[ -s "$tmp/out_dir/logits.npy" ]] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL logits.npy not written"; }

# docs/SUPPORTED_OPS.md is generated from the registry and must not go stale.
if "$infera" ops --markdown | diff -q - "$root/docs/SUPPORTED_OPS.md" >/dev/null; then
  passed=$((passed + 1)); echo "ok   docs/SUPPORTED_OPS.md matches the registry"
else
  failed=$((failed + 1)); echo "FAIL docs/SUPPORTED_OPS.md is stale: build/infera ops --markdown > docs/SUPPORTED_OPS.md"
fi

# --- bad models
head -c 5000 "$model" >"$tmp/truncated.onnx"
expect_error "truncated model" "truncated.onnx: .*(truncated|past the end|runs past|end of)" "$infera" inspect "$tmp/truncated.onnx"
cp "$model" "$tmp/corrupt.onnx"
printf '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$tmp/corrupt.onnx" bs=1 seek=20 conv=notrunc status=none
expect_error "corrupted model" "corrupt.onnx: " "$infera" inspect "$tmp/corrupt.onnx"
printf 'not a model at all' >"$tmp/text.onnx"
expect_error "not a model" "text.onnx: " "$infera" inspect "$tmp/text.onnx"
expect_error "missing model" "missing.onnx" "$infera" inspect "$tmp/missing.onnx"
expect_error "unsupported op" "FrobnicateTensor.*not supported" "$infera" inspect "$fixtures/unsupported_op.onnx"

# --- bad inputs
expect_error "wrong input name" "no input named 'pixels'.*image" \
  "$infera" run "$model" --input "pixels=$fixtures/good_image.npy" --output-dir "$tmp/o"
expect_error "wrong input shape" "input 'image': expected float32 \[batch, 1, 28, 28\], got float32 \[1, 3, 28, 28\]" \
  "$infera" run "$model" --input "image=$fixtures/wrong_channels.npy" --output-dir "$tmp/o"
expect_error "wrong input dtype" "input 'image': expected float32 \[batch, 1, 28, 28\], got int64 \[1, 1, 28, 28\]" \
  "$infera" run "$model" --input "image=$fixtures/wrong_dtype.npy" --output-dir "$tmp/o"
expect_error "missing input" "input 'image' .* was not given" "$infera" run "$model" --output-dir "$tmp/o"
printf 'garbage' >"$tmp/bad.npy"
expect_error "corrupt npy input" "bad.npy" "$infera" run "$model" --input "image=$tmp/bad.npy" --output-dir "$tmp/o"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
