// DFT, STFT, window functions and MelWeightMatrix on inputs whose transforms are known exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

TEST(Dft, ImpulseHasFlatSpectrum) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 5, 1}, {1, 0, 0, 0, 0});
  const auto out = run_kernel(make_node("DFT", 1, 1, {}), 17, {x}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{1, 5, 2}));
  for (int k = 0; k < 5; ++k) {
    EXPECT_NEAR(out[0].data<float>()[2 * k], 1.0f, 1e-6);
    EXPECT_NEAR(out[0].data<float>()[2 * k + 1], 0.0f, 1e-6);
  }
}

TEST(Dft, OnesidedPaddedCosineAndInverseRoundTrip) {
  // cos(2 pi j / 8) over 8 points: bins 1 and 7 hold 4; onesided keeps bins 0..4.
  std::vector<float> v(8);
  for (int j = 0; j < 8; ++j) v[j] = std::cos(2 * std::numbers::pi_v<float> * j / 8);
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 8, 1}, v);
  const auto out = run_kernel(make_node("DFT", 1, 1, {int_attr("onesided", 1)}), 17, {x}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{1, 5, 2}));
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(out[0].data<float>()[2 * k], k == 1 ? 4.0f : 0.0f, 1e-5);

  const auto full = run_kernel(make_node("DFT", 1, 1, {}), 17, {x}, 1);
  const auto back = run_kernel(make_node("DFT", 1, 1, {int_attr("inverse", 1)}), 17, {full[0]}, 1);
  for (int j = 0; j < 8; ++j) EXPECT_NEAR(back[0].data<float>()[2 * j], v[j], 1e-5);
}

TEST(Stft, FramesOfAConstantSignal) {
  const Tensor signal = make_tensor<float>(DType::kFloat32, {1, 10, 1}, std::vector<float>(10, 2));
  const Tensor step = make_tensor<int64_t>(DType::kInt64, {}, {3});
  const Tensor length = make_tensor<int64_t>(DType::kInt64, {}, {4});
  const auto out = run_kernel(make_node("STFT", 4, 1, {}), 17, {signal, step, Tensor(), length}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{1, 3, 3, 2}));
  for (int f = 0; f < 3; ++f) EXPECT_NEAR(out[0].data<float>()[f * 6], 8.0f, 1e-5);
}

TEST(Windows, HannPeriodicAndHammingSymmetric) {
  const Tensor size = make_tensor<int32_t>(DType::kInt32, {}, {4});
  const auto hann = run_kernel(make_node("HannWindow", 1, 1, {}), 17, {size}, 1);
  const std::vector<float> hann_want{0.0f, 0.5f, 1.0f, 0.5f};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(hann[0].data<float>()[k], hann_want[k], 1e-6);
  const auto hamming =
      run_kernel(make_node("HammingWindow", 1, 1, {int_attr("periodic", 0)}), 17, {size}, 1);
  EXPECT_NEAR(hamming[0].data<float>()[0], 4.0f / 46.0f, 1e-6);
  EXPECT_NEAR(hamming[0].data<float>()[3], 4.0f / 46.0f, 1e-6);
  const auto blackman = run_kernel(
      make_node("BlackmanWindow", 1, 1, {int_attr("output_datatype", 11)}), 17, {size}, 1);
  EXPECT_EQ(blackman[0].dtype(), DType::kFloat64);
  EXPECT_NEAR(blackman[0].data<double>()[2], 1.0, 1e-12);
}

TEST(MelWeightMatrix, OnnxExample) {
  const auto out = run_kernel(
      make_node("MelWeightMatrix", 5, 1, {}), 17,
      {make_tensor<int32_t>(DType::kInt32, {}, {8}), make_tensor<int32_t>(DType::kInt32, {}, {16}),
       make_tensor<int32_t>(DType::kInt32, {}, {8192}),
       make_tensor<float>(DType::kFloat32, {}, {0.0f}),
       make_tensor<float>(DType::kFloat32, {}, {4096.0f})},
      1);
  ASSERT_EQ(out[0].shape(), (Shape{9, 8}));
  // Ones at (0,0) (0,1) (1,2) (1,3) (2,4) (3,5) (4,6) (5,7), zeros elsewhere.
  const std::vector<std::pair<int, int>> ones{{0, 0}, {0, 1}, {1, 2}, {1, 3},
                                              {2, 4}, {3, 5}, {4, 6}, {5, 7}};
  float total = 0;
  for (int64_t i = 0; i < out[0].numel(); ++i) total += out[0].data<float>()[i];
  EXPECT_EQ(total, 8.0f);
  for (auto [r, c] : ones) EXPECT_EQ(out[0].data<float>()[r * 8 + c], 1.0f);
}

}  // namespace
}  // namespace infera::testing
