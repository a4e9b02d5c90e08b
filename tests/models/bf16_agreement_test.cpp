// bf16 fast mode (SessionOptions::bf16) on the whole Fashion-MNIST test set: the class it
// predicts must be f32's for at least 99% of the 10,000 images. Skipped, saying so, on CPUs
// without native bfloat16 dot products, where the option computes in f32. Also the zoo's
// convolutional nets (build/models, or INFERA_ZOO_DIR) in bf16 mode against PyTorch's float32
// outputs (scripts/export_zoo.py): a bound on the relative error, and the same top class.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "data/idx.h"
#include "infera/infera.h"
#include "io/npy.h"
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

// bfloat16 keeps 8 significant bits; through ResNet-50's 53 convs the logits drift by a few
// percent of the largest one (measured 0.096 for ResNet-50, 0.086 for MobileNetV2).
constexpr double kZooMaxRelativeError = 0.15;

class Bf16Zoo : public ::testing::TestWithParam<const char*> {
 protected:
  std::string path(const std::string& suffix) const {
    const char* env = std::getenv("INFERA_ZOO_DIR");
    return std::string(env ? env : INFERA_SOURCE_DIR "/build/models") + "/" + GetParam() + suffix;
  }
  void SetUp() override {
    if (!onednn::cpu_has_bf16()) GTEST_SKIP() << "this CPU has no AVX512_BF16";
    if (!std::filesystem::exists(path(".onnx"))) GTEST_SKIP() << path(".onnx") << " not exported";
  }
};

TEST_P(Bf16Zoo, StaysNearPyTorchFloat32) {
  SessionOptions options;
  options.bf16 = true;
  const Session session = Session::load(path(".onnx"), options);
  const Tensor input = read_npy(path(".input.npy"));
  const Tensor want = read_npy(path(".output.npy"));
  const Tensor got = session.run({input})[0];
  ASSERT_EQ(got.shape(), want.shape());
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double ref = want.data<float>()[i];
    max_diff = std::max(max_diff, std::fabs(got.data<float>()[i] - ref));
    max_ref = std::max(max_ref, std::fabs(ref));
  }
  std::printf("%s bf16: max|diff| %.3g over max|ref| %.3g, relative %.3g\n", GetParam(), max_diff,
              max_ref, max_diff / max_ref);
  EXPECT_LE(max_diff, kZooMaxRelativeError * max_ref);
  const int64_t classes = want.dim(want.rank() - 1);
  for (int64_t row = 0; row < want.numel() / classes; ++row)
    EXPECT_EQ(argmax(got.data<float>() + row * classes, classes),
              argmax(want.data<float>() + row * classes, classes))
        << "row " << row;
}

INSTANTIATE_TEST_SUITE_P(ConvNets, Bf16Zoo,
                         ::testing::Values("resnet50", "mobilenet_v2", "efficientnet_b0",
                                           "squeezenet1_1"));

}  // namespace
}  // namespace infera::testing
