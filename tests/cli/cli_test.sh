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


# --- bad image files through `infera predict`: one line naming the file, exit 1, no crash
images="$root/tests/fixtures/images"
expect_error "predict corrupt PNG" "bad_corrupt.png: .*corrupt" "$infera" predict "$model" "$images/bad_corrupt.png"
expect_error "predict truncated JPEG" "bad_truncated.jpg: .*truncated" "$infera" predict "$model" "$images/bad_truncated.jpg"
: >"$tmp/empty.png"
expect_error "predict zero-size file" "empty.png: .*empty" "$infera" predict "$model" "$tmp/empty.png"
expect_error "predict text file named .png" "bad_not_image.png: .*not an image" "$infera" predict "$model" "$images/bad_not_image.png"
expect_error "predict decompression bomb" "bad_bomb.png: .*decompression bomb" "$infera" predict "$model" "$images/bad_bomb.png"
expect_error "predict --max-pixels" "jpeg_baseline.jpg: .*more than the limit of 100" \
  "$infera" predict "$model" "$images/jpeg_baseline.jpg" --max-pixels 100
expect_ok "predict within --max-pixels" "jpeg_baseline.jpg: " "$infera" predict "$model" "$images/jpeg_baseline.jpg" --max-pixels 960

# --- pipeline specs that cannot work: one line naming the spec, exit 1
spec() { printf '%s' "$2" >"$tmp/$1.json"; echo "$tmp/$1.json"; }
good="$images/png_grey8.png"
expect_error "spec: 3 channels into 1" "preset torchvision-imagenet does not fit the model: it gives 3 channel\(s\).*1 channel\(s\)" \
  "$infera" predict "$model" "$good" --pipeline torchvision-imagenet
expect_error "spec: wrong size for a fixed input" "size32.json does not fit the model: input.width is 32.*width 28" \
  "$infera" predict "$model" "$good" --pipeline "$(spec size32 '{"version": 1, "preset": "mnist", "input": {"width": 32, "height": 32}}')"
expect_error "spec: label count" "labels3.json does not fit the model: it has 3 labels.*10 classes" \
  "$infera" predict "$model" "$good" --pipeline "$(spec labels3 '{"version": 1, "preset": "mnist", "labels": ["a", "b", "c"]}')"
expect_error "spec: unknown key" "typo.json: 'preprocess.mena' is not a known key" \
  "$infera" predict "$model" "$good" --pipeline "$(spec typo '{"version": 1, "preprocess": {"mena": [0.5]}}')"
expect_error "spec: bad JSON" "broken.json: not valid JSON" \
  "$infera" predict "$model" "$good" --pipeline "$(spec broken '{"version": 1,')"
expect_error "spec: unknown preset" "no-such-preset: no such file and no such preset \(presets: torchvision-imagenet" \
  "$infera" predict "$model" "$good" --pipeline no-such-preset

# --- infera pipeline embed / show / check
fashion_spec="$root/models/fashion_mnist/fashion_mnist_cnn.pipeline.json"
cp "$model" "$tmp/bare.onnx"
expect_error "show: no spec" "no pipeline spec for .*bare.onnx" "$infera" pipeline show "$tmp/bare.onnx"
expect_ok "check fits" "^ok: .*fashion_mnist_cnn.pipeline.json fits" "$infera" pipeline check "$model" "$fashion_spec"
expect_error "check refuses" "does not fit the model: it gives 3 channel" "$infera" pipeline check "$model" keras-caffe
expect_error "embed refuses a misfit" "does not fit the model" "$infera" pipeline embed "$tmp/bare.onnx" torchvision-imagenet
expect_ok "embed -o" "embedded .* in .*embedded.onnx under metadata key 'infera.pipeline'" \
  "$infera" pipeline embed "$tmp/bare.onnx" "$fashion_spec" -o "$tmp/embedded.onnx"
expect_ok "show the embedded spec" "^source: .*embedded.onnx metadata 'infera.pipeline'" "$infera" pipeline show "$tmp/embedded.onnx"
expect_ok "predict with the embedded spec" "png_grey8.png: .* top: " "$infera" predict "$tmp/embedded.onnx" "$good"

# --- diagnostics: warnings on stderr, answers still given, exit 0
# expect_warning NAME PATTERN COMMAND...: exit code 0 and a stderr warning matching PATTERN.
expect_warning() {
  local name=$1 pattern=$2
  shift 2
  if "$@" >"$tmp/out" 2>"$tmp/err" && grep -Eq -- "^infera: warning: .*$pattern" "$tmp/err"; then
    passed=$((passed + 1)); echo "ok   $name: $(grep -E "$pattern" "$tmp/err" | head -1 | cut -c1-160)..."
  else
    failed=$((failed + 1)); echo "FAIL $name:"; sed 's/^/     /' "$tmp/out" "$tmp/err"
  fi
}
diag="$root/tests/fixtures/diagnostics"
/usr/bin/python3 "$root/tests/fixtures/make_fashion_pngs.py" "$tmp/pngs" 16
expect_warning "training-mode Dropout" "Dropout 'drop1'" "$infera" predict "$diag/training_dropout.onnx" "$tmp/pngs" --pipeline mnist
expect_warning "training-mode BatchNorm" "BatchNormalization 'bn1'" "$infera" predict "$diag/training_batchnorm.onnx" "$tmp/pngs" --pipeline mnist
raw=$(spec raw '{"version": 1, "preset": "mnist", "preprocess": {"scale": "none"}}')
expect_warning "input range [0, 255]" "raw.json gives the model inputs in \[0, 255\].*fit inputs in \[0, 1\]" \
  "$infera" predict "$model" "$tmp/pngs" --pipeline "$raw"
expect_warning "always the same class" "always predicts the same class: all 16 inputs got '1'" \
  "$infera" predict "$diag/did_not_learn.onnx" "$tmp/pngs" --pipeline mnist
if "$infera" predict "$model" "$tmp/pngs" >"$tmp/out" 2>"$tmp/err" && [[ ! -s "$tmp/err" ]]; then
  passed=$((passed + 1)); echo "ok   the right spec gives no warning"
else
  failed=$((failed + 1)); echo "FAIL the right spec warned:"; sed 's/^/     /' "$tmp/err"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
