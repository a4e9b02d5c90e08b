// Postprocessing on hand-computed numbers. softmax([1, 2, 3]) = e^(x-3) / sum =
// [0.0900306, 0.2447285, 0.6652410]; sigmoid(2) = 1 / (1 + e^-2) = 0.8807971;
// sigmoid(-1) = 0.2689414.
#include "pipeline/postprocess.h"

#include <gtest/gtest.h>

namespace infera {
namespace {

PipelineSpec spec_for(Task task, Activation activation, std::vector<std::string> labels = {}) {
  PipelineSpec spec;
  spec.task = task;
  spec.activation = activation;
  spec.labels = std::move(labels);
  return spec;
}

TEST(Postprocess, SoftmaxAndSigmoid) {
  std::vector<float> v = {1, 2, 3};
  softmax_in_place(v);
  EXPECT_NEAR(v[0], 0.0900306f, 1e-6);
  EXPECT_NEAR(v[1], 0.2447285f, 1e-6);
  EXPECT_NEAR(v[2], 0.6652410f, 1e-6);
  std::vector<float> big = {1000, 1001};  // no overflow: the max is subtracted first
  softmax_in_place(big);
  EXPECT_NEAR(big[1], 0.7310586f, 1e-6);
  std::vector<float> s = {0, 2, -1};
  sigmoid_in_place(s);
  EXPECT_FLOAT_EQ(s[0], 0.5f);
  EXPECT_NEAR(s[1], 0.8807971f, 1e-6);
  EXPECT_NEAR(s[2], 0.2689414f, 1e-6);
}

TEST(Postprocess, TopKBestFirstTiesToLowerIndex) {
  EXPECT_EQ(top_k_indices({0.1f, 0.5f, 0.5f, 0.9f}, 3), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(top_k_indices({0.1f, 0.2f}, 5), (std::vector<int>{1, 0}));
}

TEST(Postprocess, MulticlassWithLabelsAndTopK) {
  PipelineSpec spec = spec_for(Task::kMulticlass, Activation::kSoftmax, {"cat", "dog", "eel"});
  spec.top_k = 2;
  const float logits[] = {1, 3, 2};
  Prediction p = postprocess_row(logits, 3, spec);
  EXPECT_EQ(p.label, "dog");
  EXPECT_EQ(p.index, 1);
  EXPECT_NEAR(p.confidence, 0.6652410f, 1e-6);
  ASSERT_EQ(p.top_k.size(), 2u);
  EXPECT_EQ(p.top_k[1].label, "eel");
  EXPECT_NEAR(p.top_k[1].probability, 0.2447285f, 1e-6);
}

TEST(Postprocess, BelowMinConfidenceIsUnknown) {
  PipelineSpec spec = spec_for(Task::kMulticlass, Activation::kSoftmax, {"a", "b", "c"});
  spec.min_confidence = 0.7f;
  const float logits[] = {1, 2, 3};
  Prediction p = postprocess_row(logits, 3, spec);
  EXPECT_EQ(p.label, kUnknownLabel);
  EXPECT_EQ(p.index, -1);
  EXPECT_NEAR(p.confidence, 0.6652410f, 1e-6);
  EXPECT_EQ(p.top_k.front().label, "c");  // still shown, for the curious
}

TEST(Postprocess, NoLabelsGivesIndexAsLabelAndNoActivationKeepsScores) {
  const float probs[] = {0.2f, 0.7f, 0.1f};
  Prediction p = postprocess_row(probs, 3, spec_for(Task::kMulticlass, Activation::kNone));
  EXPECT_EQ(p.label, "1");
  EXPECT_FLOAT_EQ(p.confidence, 0.7f);
}

TEST(Postprocess, BinaryOneLogitUsesThreshold) {
  PipelineSpec spec = spec_for(Task::kBinary, Activation::kSigmoid, {"no", "yes"});
  const float logit[] = {2};
  Prediction p = postprocess_row(logit, 1, spec);
  EXPECT_EQ(p.label, "yes");
  EXPECT_NEAR(p.confidence, 0.8807971f, 1e-6);
  spec.threshold = 0.9f;
  p = postprocess_row(logit, 1, spec);
  EXPECT_EQ(p.label, "no");
  EXPECT_NEAR(p.confidence, 1 - 0.8807971f, 1e-6);
}

TEST(Postprocess, MultilabelPerLabelThresholds) {
  PipelineSpec spec = spec_for(Task::kMultilabel, Activation::kSigmoid, {"sky", "sea", "sand"});
  spec.thresholds = {0.9f, 0.25f, 0.5f};
  const float logits[] = {2, -1, 0};  // 0.881, 0.269, 0.5
  Prediction p = postprocess_row(logits, 3, spec);
  ASSERT_EQ(p.positives.size(), 2u);  // sky misses 0.9; sea passes 0.25; sand meets 0.5
  EXPECT_EQ(p.positives[0].label, "sand");
  EXPECT_EQ(p.positives[1].label, "sea");
  EXPECT_EQ(p.label, "sand,sea");
}

TEST(Postprocess, RegressionDenormalises) {
  PipelineSpec spec = spec_for(Task::kRegression, Activation::kNone);
  spec.regression_mean = {10, 20};
  spec.regression_std = {2};
  const float y[] = {1.5f, -1};
  Prediction p = postprocess_row(y, 2, spec);
  ASSERT_EQ(p.values.size(), 2u);
  EXPECT_FLOAT_EQ(p.values[0], 13.0f);  // 1.5 * 2 + 10
  EXPECT_FLOAT_EQ(p.values[1], 18.0f);  // -1 * 2 + 20
}

}  // namespace
}  // namespace infera
