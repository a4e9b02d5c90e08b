// MatMul, Gemm, Einsum, Det, the normalizations and the quantized ops on cases the ONNX node
// tests leave out (1-D operands, broadcasting, implicit Einsum output, per-axis parameters),
// with expected values worked out by hand or by a naive loop here.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

Tensor iota(Shape shape, float start = 1) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + static_cast<float>(i);
  return t;
}

TEST(MatMul, VectorOperandsDropTheirDim) {
  const Tensor v = make_tensor<float>(DType::kFloat32, {3}, {1, 2, 3});
  const Tensor m = iota({2, 3, 2});  // two 3x2 matrices
  const auto out = run_kernel(make_node("MatMul", 2, 1, {}), 13, {v, m}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{2, 2}));
  // [1 2 3] @ [[1 2][3 4][5 6]] = [22 28]; second matrix adds 6 to every entry: +36.
  const float want[] = {22, 28, 58, 64};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[0].data<float>()[i], want[i]);
  const auto dot = run_kernel(make_node("MatMul", 2, 1, {}), 13, {v, v}, 1);
  EXPECT_EQ(dot[0].shape(), Shape{});
  EXPECT_FLOAT_EQ(dot[0].data<float>()[0], 14.0f);
}

TEST(MatMul, BroadcastsBatchDimsAndMismatchNamesBoth) {
  const Tensor a = iota({2, 1, 2, 3});
  const Tensor b = iota({3, 3, 1});
  const auto out = run_kernel(make_node("MatMul", 2, 1, {}), 13, {a, b}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{2, 3, 2, 1}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t r = 0; r < 2; ++r) {
        float s = 0;
        for (int64_t k = 0; k < 3; ++k)
          s += a.data<float>()[(i * 2 + r) * 3 + k] * b.data<float>()[j * 3 + k];
        EXPECT_FLOAT_EQ(out[0].data<float>()[(i * 3 + j) * 2 + r], s);
      }
  EXPECT_THROW(run_kernel(make_node("MatMul", 2, 1, {}), 13, {a, iota({2, 2})}, 1), Error);
}

TEST(Gemm, ColumnBiasBroadcastsAlongRows) {
  const Tensor a = iota({2, 2});
  const Tensor b = make_tensor<float>(DType::kFloat32, {2, 2}, {1, 0, 0, 1});
  const Tensor c = make_tensor<float>(DType::kFloat32, {2, 1}, {10, 20});
  const auto out =
      run_kernel(make_node("Gemm", 3, 1, {float_attr("beta", 0.5f)}), 13, {a, b, c}, 1);
  const float want[] = {6, 7, 13, 14};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(out[0].data<float>()[i], want[i]);
}

TEST(Einsum, ImplicitOutputIsAlphabeticalSingleLabels) {
  // "ji,jk" -> "ik": A^T @ B.
  const Tensor a = iota({2, 3});
  const Tensor b = iota({2, 2});
  const auto out =
      run_kernel(make_node("Einsum", 2, 1, {string_attr("equation", "ji,jk")}), 12, {a, b}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{3, 2}));
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t k = 0; k < 2; ++k) {
      float s = 0;
      for (int64_t j = 0; j < 2; ++j) s += a.data<float>()[j * 3 + i] * b.data<float>()[j * 2 + k];
      EXPECT_FLOAT_EQ(out[0].data<float>()[i * 2 + k], s);
    }
}

TEST(Einsum, EllipsisBroadcastsAndTraceSumsDiagonal) {
  const Tensor a = iota({2, 1, 2, 2});
  const Tensor b = iota({3, 2, 2});
  const auto out = run_kernel(
      make_node("Einsum", 2, 1, {string_attr("equation", "...ij,...jk->...ik")}), 12, {a, b}, 1);
  EXPECT_EQ(out[0].shape(), (Shape{2, 3, 2, 2}));
  const auto mm = run_kernel(make_node("MatMul", 2, 1, {}), 13, {a, b}, 1);
  for (int64_t i = 0; i < mm[0].numel(); ++i)
    EXPECT_FLOAT_EQ(out[0].data<float>()[i], mm[0].data<float>()[i]);
  const auto trace =
      run_kernel(make_node("Einsum", 1, 1, {string_attr("equation", "ii")}), 12, {iota({3, 3})}, 1);
  EXPECT_EQ(trace[0].shape(), Shape{});
  EXPECT_FLOAT_EQ(trace[0].data<float>()[0], 1 + 5 + 9);
}

TEST(Det, PivotsAndBatches) {
  // [[0 1][2 3]] needs a row swap: det = -2. [[2 0][0 3]]: 6.
  const Tensor x = make_tensor<float>(DType::kFloat32, {2, 2, 2}, {0, 1, 2, 3, 2, 0, 0, 3});
  const auto out = run_kernel(make_node("Det", 1, 1, {}), 11, {x}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{2}));
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -2.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], 6.0f);
}

TEST(LayerNormalization, ScalarScaleBroadcastsAndStatsHaveOnes) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {2, 2}, {1, 3, 5, 5});
  const Tensor scale = make_tensor<float>(DType::kFloat32, {1}, {2});
  const auto out = run_kernel(make_node("LayerNormalization", 2, 3, {float_attr("epsilon", 0)}), 17,
                              {x, scale}, 3);
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], -2.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], 2.0f);
  EXPECT_EQ(out[1].shape(), (Shape{2, 1}));
  EXPECT_FLOAT_EQ(out[1].data<float>()[1], 5.0f);
  EXPECT_FLOAT_EQ(out[2].data<float>()[0], 1.0f);
}

TEST(QuantizeLinear, RoundsHalfToEvenAndSaturates) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {5}, {0.5f, 1.5f, 2.5f, -300, 300});
  const Tensor scale = make_tensor<float>(DType::kFloat32, {}, {1});
  const Tensor zero = make_tensor<int8_t>(DType::kInt8, {}, {0});
  const auto out = run_kernel(make_node("QuantizeLinear", 3, 1, {}), 13, {x, scale, zero}, 1);
  ASSERT_EQ(out[0].dtype(), DType::kInt8);
  const int8_t want[] = {0, 2, 2, -128, 127};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[0].data<int8_t>()[i], want[i]);
}

TEST(DynamicQuantizeLinear, AllZeroInputGivesZeroScale) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {3}, {0, 0, 0});
  const auto out = run_kernel(make_node("DynamicQuantizeLinear", 1, 3, {}), 11, {x}, 3);
  EXPECT_EQ(out[1].data<float>()[0], 0.0f);
  EXPECT_EQ(out[2].data<uint8_t>()[0], 0);
  EXPECT_EQ(out[0].data<uint8_t>()[0], 0);
}

TEST(MatMulInteger, PerColumnZeroPoint) {
  const Tensor a = make_tensor<uint8_t>(DType::kUInt8, {1, 2}, {3, 4});
  const Tensor b = make_tensor<int8_t>(DType::kInt8, {2, 2}, {1, 2, 3, 4});
  const Tensor az = make_tensor<uint8_t>(DType::kUInt8, {}, {1});
  const Tensor bz = make_tensor<int8_t>(DType::kInt8, {2}, {1, -1});
  const auto out = run_kernel(make_node("MatMulInteger", 4, 1, {}), 10, {a, b, az, bz}, 1);
  // (a - 1) = [2 3]; (b - bz) = [[0 3][2 5]] -> [6, 21].
  EXPECT_EQ(out[0].data<int32_t>()[0], 6);
  EXPECT_EQ(out[0].data<int32_t>()[1], 21);
}

TEST(QLinearConv, PerChannelWeightScaleAndBias) {
  // 1x1 conv over a 1x1x1x2 input, two output channels with their own weight scale.
  const Tensor x = make_tensor<uint8_t>(DType::kUInt8, {1, 1, 1, 2}, {10, 20});
  const Tensor xs = make_tensor<float>(DType::kFloat32, {}, {0.5f});
  const Tensor xz = make_tensor<uint8_t>(DType::kUInt8, {}, {10});
  const Tensor w = make_tensor<int8_t>(DType::kInt8, {2, 1, 1, 1}, {2, -3});
  const Tensor ws = make_tensor<float>(DType::kFloat32, {2}, {1.0f, 2.0f});
  const Tensor wz = make_tensor<int8_t>(DType::kInt8, {2}, {0, 0});
  const Tensor ys = make_tensor<float>(DType::kFloat32, {}, {1.0f});
  const Tensor yz = make_tensor<uint8_t>(DType::kUInt8, {}, {100});
  const Tensor bias = make_tensor<int32_t>(DType::kInt32, {2}, {4, 0});
  const auto out =
      run_kernel(make_node("QLinearConv", 9, 1, {}), 10, {x, xs, xz, w, ws, wz, ys, yz, bias}, 1);
  // channel 0: ((x - 10) * 2 + 4) * 0.5 + 100 = [102, 112]; channel 1: (x - 10) * -3 + 100.
  const uint8_t want[] = {102, 112, 100, 70};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(out[0].data<uint8_t>()[i], want[i]);
}

}  // namespace
}  // namespace infera::testing
