// bf16 fast mode (SessionOptions::bf16) on the whole Fashion-MNIST test set: the class it
// predicts must be f32's for at least 99% of the 10,000 images. Skipped, saying so, on CPUs
// without native bfloat16 dot products, where the option computes in f32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "data/idx.h"
#include "infera/infera.h"
#include "ops/cpu/onednn_common.h"

namespace infera::testing {
namespace {

constexpr const char* kModel = INFERA_SOURCE_DIR "/models/fashion_mnist/fashion_mnist_cnn.onnx";
constexpr const char* kImages = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

int64_t argmax(const float* row, int64_t n) {
  return std::max_element(row, row + n) - row;
}

TEST(Bf16, AgreesWithF32OnAtLeast99PercentOfFashionMnist) {
  if (!onednn::cpu_has_bf16()) GTEST_SKIP() << "this CPU has no AVX512_BF16: bf16 mode is f32 here";
  SessionOptions f32_options, bf16_options;
  bf16_options.bf16 = true;
  const Session f32 = Session::load(kModel, f32_options);
  const Session bf16 = Session::load(kModel, bf16_options);
  IdxReader images(kImages);
  Tensor pixels;
  int64_t seen = 0, agree = 0;
  bool checked_kernels = false;
  while (images.next_batch(500, pixels)) {
    const int64_t n = pixels.dim(0);
    Tensor x = Tensor::empty(DType::kFloat32, {n, 1, 28, 28});
    for (int64_t i = 0; i < x.numel(); ++i)
      x.data<float>()[i] = static_cast<float>(pixels.data<uint8_t>()[i]) / 255.0f;
    const Tensor want = f32.run({x})[0];
    Tensor got;
    if (!checked_kernels) {  // the convs really ran in bf16, so agreement is not trivially 100%
      std::vector<NodeProfile> profile;
      got = bf16.run_profiled({Value(x)}, profile)[0].tensor;
      int bf16_convs = 0;
      // conv_bf16_onednn (float32 tensors) or conv_bf16_tensors_onednn (bfloat16 ones).
      for (const NodeProfile& p : profile) bf16_convs += p.kernel.starts_with("conv_bf16_");
      EXPECT_GT(bf16_convs, 0);
      checked_kernels = true;
    } else {
      got = bf16.run({x})[0];
    }
    const int64_t classes = want.dim(1);
    for (int64_t i = 0; i < n; ++i, ++seen)
      agree += argmax(want.data<float>() + i * classes, classes) ==
               argmax(got.data<float>() + i * classes, classes);
  }
  ASSERT_EQ(seen, 10000);
  std::printf("bf16 top-1 agrees with f32 on %lld of %lld images\n", static_cast<long long>(agree),
              static_cast<long long>(seen));
  EXPECT_GE(agree * 100, seen * 99);
}

}  // namespace
}  // namespace infera::testing
