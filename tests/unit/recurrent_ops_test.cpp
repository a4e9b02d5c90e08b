// RNN, GRU and LSTM on the ONNX backend tests' "defaults" cases (X = [[1,2],[3,4],[5,6]], all
// weights 0.1; expected Y_h from onnx/backend/test/case/node/{rnn,gru,lstm}.py), plus layout and
// direction properties that follow from the definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

Tensor filled(Shape shape, float v) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = v;
  return t;
}

std::vector<Tensor> run_defaults(const std::string& op, int gates, int64_t hidden,
                                 std::vector<Attribute> extra = {}) {
  extra.push_back(int_attr("hidden_size", hidden));
  const Node node = make_node(op, 3, 2, extra);
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 3, 2}, {1, 2, 3, 4, 5, 6});
  return run_kernel(
      node, 14,
      {x, filled({1, gates * hidden, 2}, 0.1f), filled({1, gates * hidden, hidden}, 0.1f)}, 2);
}

void expect_rows(const Tensor& t, const std::vector<float>& per_row, int64_t hidden) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(per_row.size()) * hidden);
  for (int64_t i = 0; i < t.numel(); ++i)
    EXPECT_NEAR(t.data<float>()[i], per_row[i / hidden], 1e-6);
}

TEST(Rnn, DefaultsMatchOnnxExample) {
  const auto out = run_defaults("RNN", 1, 4);
  EXPECT_EQ(out[1].shape(), (Shape{1, 3, 4}));
  expect_rows(out[1], {0.29131263f, 0.60436779f, 0.80049902f}, 4);
}

TEST(Gru, DefaultsMatchOnnxExample) {
  const auto out = run_defaults("GRU", 3, 5);
  expect_rows(out[1], {0.12397026f, 0.20053662f, 0.19991654f}, 5);
}

TEST(Lstm, DefaultsMatchOnnxExample) {
  const auto out = run_defaults("LSTM", 4, 3);
  expect_rows(out[1], {0.09524120f, 0.25606447f, 0.40323776f}, 3);
}

TEST(Lstm, SingleStepYEqualsYh) {
  const auto out = run_defaults("LSTM", 4, 3);
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 3, 3}));
  for (int64_t i = 0; i < out[1].numel(); ++i)
    EXPECT_EQ(out[0].data<float>()[i], out[1].data<float>()[i]);
}

TEST(Rnn, BidirectionalOnOneStepGivesBothDirectionsTheSameState) {
  const Node node = make_node(
      "RNN", 3, 2, {int_attr("hidden_size", 2), string_attr("direction", "bidirectional")});
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 2, 1}, {0.5f, -1.0f});
  const auto out = run_kernel(node, 14, {x, filled({2, 2, 1}, 0.3f), filled({2, 2, 2}, 0.2f)}, 2);
  ASSERT_EQ(out[1].shape(), (Shape{2, 2, 2}));
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_FLOAT_EQ(out[1].data<float>()[i], out[1].data<float>()[4 + i]);
  EXPECT_NEAR(out[1].data<float>()[0], std::tanh(0.15f), 1e-6);
}

TEST(Rnn, SequenceLengthsZeroThePaddedSteps) {
  const Node node = make_node("RNN", 5, 2, {int_attr("hidden_size", 1)});
  const Tensor x = make_tensor<float>(DType::kFloat32, {3, 2, 1}, {1, 1, 1, 1, 1, 1});
  const Tensor lens = make_tensor<int32_t>(DType::kInt32, {2}, {3, 1});
  const auto out = run_kernel(
      node, 14, {x, filled({1, 1, 1}, 1.0f), filled({1, 1, 1}, 0.0f), Tensor(), lens}, 2);
  const float* y = out[0].data<float>();  // [3, 1, 2, 1]
  EXPECT_NEAR(y[0], std::tanh(1.0f), 1e-6);
  EXPECT_NEAR(y[1], std::tanh(1.0f), 1e-6);
  EXPECT_NEAR(y[2], std::tanh(1.0f), 1e-6);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_EQ(y[5], 0.0f);
  EXPECT_NEAR(out[1].data<float>()[1], std::tanh(1.0f), 1e-6);
}

}  // namespace
}  // namespace infera::testing
