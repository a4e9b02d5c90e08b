// TfIdfVectorizer, StringNormalizer, the training-domain optimizers (expected values from the
// ONNX backend tests' numpy code) and Bernoulli's seeding.
#include <gtest/gtest.h>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

Tensor strings(Shape shape, std::vector<std::string> values) {
  Tensor t = Tensor::empty(DType::kString, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<std::string>()[i] = values[i];
  return t;
}

TEST(TfIdfVectorizer, UniAndBigramsWithSkips) {
  // onnx tfidfvectorizer.py, tf_uniandbigrams_skip5.
  const Node node = make_node(
      "TfIdfVectorizer", 1, 1,
      {string_attr("mode", "TF"), int_attr("min_gram_length", 1), int_attr("max_gram_length", 2),
       int_attr("max_skip_count", 5), ints_attr("ngram_counts", {0, 4}),
       ints_attr("ngram_indexes", {0, 1, 2, 3, 4, 5, 6}),
       ints_attr("pool_int64s", {2, 3, 5, 4, 5, 6, 7, 8, 6, 7})});
  const Tensor x = make_tensor<int32_t>(DType::kInt32, {12}, {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8});
  const auto out = run_kernel(node, 9, {x}, 1);
  const std::vector<float> want{0, 3, 1, 0, 1, 3, 1};
  ASSERT_EQ(out[0].shape(), (Shape{7}));
  for (int i = 0; i < 7; ++i) EXPECT_EQ(out[0].data<float>()[i], want[i]) << i;
}

TEST(StringNormalizer, DropsStopwordsIgnoringCaseAndUppercases) {
  const Node node = make_node(
      "StringNormalizer", 1, 1,
      {string_attr("case_change_action", "UPPER"), strings_attr("stopwords", {"monday"})});
  const auto out =
      run_kernel(node, 10, {strings({1, 4}, {"Monday", "tuesday", "été", "MONDAY"})}, 1);
  ASSERT_EQ(out[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(out[0].data<std::string>()[0], "TUESDAY");
  EXPECT_EQ(out[0].data<std::string>()[1], "ÉTÉ");
  const auto empty = run_kernel(node, 10, {strings({1}, {"monday"})}, 1);
  ASSERT_EQ(empty[0].shape(), (Shape{1}));
  EXPECT_EQ(empty[0].data<std::string>()[0], "");
}

TEST(Momentum, NesterovMatchesOnnxExample) {
  const Node node =
      make_node("Momentum", 5, 2,
                {float_attr("alpha", 0.95f), float_attr("beta", 1.0f),
                 string_attr("mode", "nesterov"), float_attr("norm_coefficient", 0.01f)},
                "ai.onnx.preview.training");
  const auto out = run_kernel(node, 1,
                              {make_tensor<float>(DType::kFloat32, {}, {0.1f}),
                               make_tensor<int64_t>(DType::kInt64, {}, {0}),
                               make_tensor<float>(DType::kFloat32, {2}, {1.2f, 2.8f}),
                               make_tensor<float>(DType::kFloat32, {2}, {-0.94f, -2.5f}),
                               make_tensor<float>(DType::kFloat32, {2}, {1.7f, 3.6f})},
                              2);
  EXPECT_NEAR(out[0].data<float>()[0], 1.2275350f, 1e-6);
  EXPECT_NEAR(out[0].data<float>()[1], 2.9571400f, 1e-6);
  EXPECT_NEAR(out[1].data<float>()[0], 0.6870000f, 1e-6);
  EXPECT_NEAR(out[1].data<float>()[1], 0.9480000f, 1e-6);
}

TEST(Adam, MatchesOnnxExample) {
  const Node node =
      make_node("Adam", 6, 3,
                {float_attr("alpha", 0.95f), float_attr("beta", 0.1f), float_attr("epsilon", 1e-7f),
                 float_attr("norm_coefficient", 0.001f)},
                "ai.onnx.preview.training");
  const auto out = run_kernel(node, 1,
                              {make_tensor<float>(DType::kFloat32, {}, {0.1f}),
                               make_tensor<int64_t>(DType::kInt64, {}, {0}),
                               make_tensor<float>(DType::kFloat32, {2}, {1.2f, 2.8f}),
                               make_tensor<float>(DType::kFloat32, {2}, {-0.94f, -2.5f}),
                               make_tensor<float>(DType::kFloat32, {2}, {1.7f, 3.6f}),
                               make_tensor<float>(DType::kFloat32, {2}, {0.1f, 0.1f})},
                              3);
  EXPECT_NEAR(out[0].data<float>()[0], 1.0250363f, 1e-6);
  EXPECT_NEAR(out[1].data<float>()[1], 3.2951398f, 1e-6);
  EXPECT_NEAR(out[2].data<float>()[1], 5.6224070f, 1e-5);
}

TEST(Bernoulli, SeededRunsRepeatAndRespectCertainties) {
  const Node node = make_node("Bernoulli", 1, 1, {float_attr("seed", 3.0f)});
  std::vector<float> p(64, 0.5f);
  p[0] = 0.0f;
  p[1] = 1.0f;
  const Tensor x = make_tensor<float>(DType::kFloat32, {64}, p);
  const auto a = run_kernel(node, 15, {x}, 1);
  const auto b = run_kernel(node, 15, {x}, 1);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(a[0].data<float>()[i], b[0].data<float>()[i]);
  EXPECT_EQ(a[0].data<float>()[0], 0.0f);
  EXPECT_EQ(a[0].data<float>()[1], 1.0f);
}

}  // namespace
}  // namespace infera::testing
