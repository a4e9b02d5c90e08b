// Group D ops on cases the ONNX backend tests leave out: empty-set reductions, older opset
// semantics, integer dtypes, ties and NaN. Expected values worked out by hand or with numpy.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

Tensor floats(Shape shape, std::vector<float> v) {
  return make_tensor<float>(DType::kFloat32, std::move(shape), std::move(v));
}
Tensor int64s(Shape shape, std::vector<int64_t> v) {
  return make_tensor<int64_t>(DType::kInt64, std::move(shape), std::move(v));
}

TEST(Reduce, EmptySetGivesIdentityOfEachReduction) {
  const Tensor x = Tensor::empty(DType::kFloat32, {2, 0});
  const Tensor axes = int64s({1}, {1});
  auto one = [&](const char* op) {
    return run_kernel(make_node(op, 2, 1, {int_attr("keepdims", 0)}), 18, {x, axes}, 1)[0];
  };
  EXPECT_EQ(one("ReduceSum").data<float>()[0], 0.0f);
  EXPECT_EQ(one("ReduceProd").data<float>()[1], 1.0f);
  EXPECT_EQ(one("ReduceMax").data<float>()[0], -std::numeric_limits<float>::infinity());
  EXPECT_EQ(one("ReduceMin").data<float>()[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(one("ReduceLogSumExp").data<float>()[0], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(one("ReduceMean").data<float>()[0]));
  EXPECT_EQ(one("ReduceSum").shape(), (Shape{2}));
}

TEST(Reduce, AxesAttributeBeforeOpset13AndNoopWithEmptyAxes) {
  const Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto sum = run_kernel(make_node("ReduceSum", 1, 1, {ints_attr("axes", {0})}), 11, {x}, 1);
  ASSERT_EQ(sum[0].shape(), (Shape{1, 3}));
  EXPECT_EQ(sum[0].data<float>()[2], 9.0f);
  const auto noop = run_kernel(make_node("ReduceSum", 2, 1, {int_attr("noop_with_empty_axes", 1)}),
                               13, {x, int64s({0}, {})}, 1);
  ASSERT_EQ(noop[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(noop[0].data<float>()[4], 5.0f);
}

TEST(Reduce, IntegersAccumulateExactly) {
  const Tensor x = make_tensor<int32_t>(DType::kInt32, {3}, {-7, 2, 100});
  const auto mx = run_kernel(make_node("ReduceMax", 1, 1, {int_attr("keepdims", 0)}), 13, {x}, 1);
  EXPECT_EQ(mx[0].data<int32_t>()[0], 100);
  const auto l1 = run_kernel(make_node("ReduceL1", 1, 1, {}), 13, {x}, 1);
  EXPECT_EQ(l1[0].data<int32_t>()[0], 109);
}

TEST(Softmax, BeforeOpset13CoercesTo2D) {
  // axis=1 on [1, 2, 2]: all four values form one row.
  const Tensor x = floats({1, 2, 2}, {0, 0, 0, 0});
  const auto y = run_kernel(make_node("Softmax", 1, 1, {}), 11, {x}, 1);
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(y[0].data<float>()[i], 0.25f);
  const auto h =
      run_kernel(make_node("Hardmax", 1, 1, {}), 11, {floats({1, 2, 2}, {1, 3, 3, 2})}, 1);
  const float want[] = {0, 1, 0, 0};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h[0].data<float>()[i], want[i]);
}

TEST(ArgMax, NaNWinsAndTiesPickFirstOrLast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const auto a = run_kernel(make_node("ArgMax", 1, 1, {}), 13, {floats({4}, {1, nan, 5, nan})}, 1);
  EXPECT_EQ(a[0].data<int64_t>()[0], 1);
  const Tensor ties = floats({4}, {2, 5, 5, 1});
  const auto first = run_kernel(make_node("ArgMax", 1, 1, {}), 13, {ties}, 1);
  const auto last =
      run_kernel(make_node("ArgMax", 1, 1, {int_attr("select_last_index", 1)}), 13, {ties}, 1);
  EXPECT_EQ(first[0].data<int64_t>()[0], 1);
  EXPECT_EQ(last[0].data<int64_t>()[0], 2);
}

TEST(TopK, TiesKeepLowerIndexFirst) {
  const auto out = run_kernel(make_node("TopK", 2, 2, {int_attr("largest", 0)}), 11,
                              {floats({5}, {3, 1, 2, 1, 1}), int64s({1}, {3})}, 2);
  ASSERT_EQ(out[0].shape(), (Shape{3}));
  const int64_t want[] = {1, 3, 4};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out[1].data<int64_t>()[i], want[i]);
}

TEST(CumSum, IntegerReverseExclusive) {
  const Tensor x = make_tensor<int32_t>(DType::kInt32, {4}, {1, 2, 3, 4});
  const Tensor axis = make_tensor<int32_t>(DType::kInt32, {}, {0});
  const auto y =
      run_kernel(make_node("CumSum", 2, 1, {int_attr("exclusive", 1), int_attr("reverse", 1)}), 14,
                 {x, axis}, 1);
  const int32_t want[] = {9, 7, 4, 0};
  for (int i = 0; i < 4; ++i) EXPECT_EQ(y[0].data<int32_t>()[i], want[i]);
}

TEST(Resize, Opset10NearestShrinksWithCeil) {
  // Resize-10 keeps Upsample's coordinates: x / scale, truncating up and ceiling down.
  const Tensor x = floats({1, 4}, {1, 2, 3, 4});
  const auto y = run_kernel(make_node("Resize", 2, 1, {}), 10, {x, floats({2}, {1.0f, 0.5f})}, 1);
  ASSERT_EQ(y[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(y[0].data<float>()[0], 1.0f);
  EXPECT_EQ(y[0].data<float>()[1], 3.0f);
}

TEST(Upsample, Opset7ScalesAttributeLinear) {
  const auto y = run_kernel(make_node("Upsample", 1, 1,
                                      {string_attr("mode", "linear"),
                                       [] {
                                         Attribute a;
                                         a.name = "scales";
                                         a.type = Attribute::Type::kFloats;
                                         a.floats = {1.0f, 2.0f};
                                         return a;
                                       }()}),
                            7, {floats({1, 2}, {1, 3})}, 1);
  ASSERT_EQ(y[0].shape(), (Shape{1, 4}));
  const float want[] = {1, 2, 3, 3};
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(y[0].data<float>()[i], want[i]);
}

TEST(NegativeLogLikelihoodLoss, MeanOverAllIgnoredIsNaN) {
  const auto y =
      run_kernel(make_node("NegativeLogLikelihoodLoss", 2, 1, {int_attr("ignore_index", 0)}), 13,
                 {floats({2, 2}, {-1, -2, -3, -4}), int64s({2}, {0, 0})}, 1);
  EXPECT_TRUE(std::isnan(y[0].data<float>()[0]));
}

}  // namespace
}  // namespace infera::testing
