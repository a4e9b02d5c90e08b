// Our metrics against scikit-learn 1.2's on the same predictions. The fixture is written at
// test time by tests/fixtures/make_metric_fixtures.py (the ctest fixture eval_metric_fixtures);
// it holds seeded random predictions with ties, empty classes and sklearn's value of every metric.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "eval/metrics.h"

namespace infera {
namespace {

using nlohmann::json;
constexpr double kTolerance = 1e-9;

const json& fixture() {
  static const json loaded = [] {
    std::ifstream in(INFERA_METRICS_FIXTURE);
    if (!in) return json();
    return json::parse(in);
  }();
  return loaded;
}

const json& cases(const char* task) {
  static const json none = json::array();
  if (!fixture().contains(task)) {
    ADD_FAILURE() << "no fixture " << INFERA_METRICS_FIXTURE
                  << ": run /usr/bin/python3 tests/fixtures/make_metric_fixtures.py on it";
    return none;
  }
  return fixture()[task];
}

std::vector<float> floats(const json& row) {
  std::vector<float> out;
  for (const json& v : row) out.push_back(static_cast<float>(v.get<double>()));
  return out;
}

void expect_scores(const ClassScores& ours, const json& theirs, const std::string& what) {
  EXPECT_NEAR(ours.precision, theirs["precision"].get<double>(), kTolerance) << what;
  EXPECT_NEAR(ours.recall, theirs["recall"].get<double>(), kTolerance) << what;
  EXPECT_NEAR(ours.f1, theirs["f1"].get<double>(), kTolerance) << what;
  if (theirs.contains("support")) {
    EXPECT_EQ(ours.support, theirs["support"].get<int64_t>()) << what;
  }
}

std::vector<EvaluatedSample> classified_samples(const json& c, const std::vector<int>& predicted) {
  std::vector<EvaluatedSample> samples;
  for (size_t i = 0; i < c["targets"].size(); ++i) {
    EvaluatedSample s;
    s.source = "sample " + std::to_string(i);
    s.target = c["targets"][i].get<int>();
    s.probabilities = floats(c["probabilities"][i]);
    s.predicted =
        predicted.empty()
            ? static_cast<int>(std::max_element(s.probabilities.begin(), s.probabilities.end()) -
                               s.probabilities.begin())
            : predicted[i];
    s.confidence = s.probabilities[static_cast<size_t>(s.predicted)];
    s.rejected = c.contains("min_confidence") && s.confidence < c["min_confidence"].get<double>();
    samples.push_back(std::move(s));
  }
  return samples;
}

TEST(EvalMetrics, MulticlassMatchesSklearn) {
  for (const json& c : cases("multiclass")) {
    const int classes = c["classes"].get<int>();
    const json& want = c["expected"];
    const ClassificationMetrics m =
        classification_metrics(classified_samples(c, {}), classes, c["top_k"].get<int>(),
                               c["min_confidence"].get<double>());
    EXPECT_NEAR(m.accuracy, want["accuracy"].get<double>(), kTolerance);
    EXPECT_NEAR(m.top_k_accuracy, want["top_k_accuracy"].get<double>(), kTolerance);
    EXPECT_NEAR(m.log_loss, want["log_loss"].get<double>(), kTolerance);
    for (int k = 0; k < classes; ++k)
      expect_scores(m.per_class[k], want["per_class"][k], "class " + std::to_string(k));
    expect_scores(m.macro, want["macro"], "macro");
    expect_scores(m.weighted, want["weighted"], "weighted");
    for (int t = 0; t < classes; ++t)
      for (int p = 0; p < classes; ++p)
        EXPECT_EQ(m.confusion[t][p], want["confusion"][t][p].get<int64_t>());
    EXPECT_NEAR(m.expected_calibration_error, want["ece"].get<double>(), kTolerance);
    for (int b = 0; b < kCalibrationBins; ++b)
      EXPECT_EQ(m.calibration[b].count, want["calibration_counts"][b].get<int64_t>())
          << "bin " << b;
    EXPECT_NEAR(m.rejected_rate, want["rejected_rate"].get<double>(), kTolerance);
    EXPECT_NEAR(m.accuracy_on_accepted, want["accuracy_on_accepted"].get<double>(), kTolerance);
  }
}

TEST(EvalMetrics, BinaryMatchesSklearn) {
  for (const json& c : cases("binary")) {
    const double threshold = c["threshold"].get<double>();
    std::vector<EvaluatedSample> samples = classified_samples(c, {});
    const BinaryMetrics m = binary_metrics(samples, threshold);
    const json& want = c["expected"];
    EXPECT_NEAR(m.roc_auc, want["roc_auc"].get<double>(), kTolerance);
    EXPECT_NEAR(m.average_precision, want["average_precision"].get<double>(), kTolerance);
    EXPECT_NEAR(m.accuracy, want["accuracy"].get<double>(), kTolerance);
    EXPECT_EQ(m.positives, want["positives"].get<int64_t>());
    EXPECT_EQ(m.negatives, want["negatives"].get<int64_t>());
  }
}

TEST(EvalMetrics, MultilabelMatchesSklearn) {
  for (const json& c : cases("multilabel")) {
    std::vector<EvaluatedSample> samples;
    for (size_t i = 0; i < c["targets"].size(); ++i) {
      EvaluatedSample s;
      s.target_values = floats(c["targets"][i]);
      s.probabilities = floats(c["probabilities"][i]);
      samples.push_back(std::move(s));
    }
    const std::vector<float> thresholds = floats(c["thresholds"]);
    const MultilabelMetrics m =
        multilabel_metrics(samples, static_cast<int>(thresholds.size()), thresholds);
    const json& want = c["expected"];
    EXPECT_NEAR(m.subset_accuracy, want["subset_accuracy"].get<double>(), kTolerance);
    for (size_t l = 0; l < thresholds.size(); ++l)
      expect_scores(m.per_label[l], want["per_label"][l], "label " + std::to_string(l));
    expect_scores(m.micro, want["micro"], "micro");
    EXPECT_NEAR(m.macro_f1, want["macro_f1"].get<double>(), kTolerance);
  }
}

TEST(EvalMetrics, RegressionMatchesSklearn) {
  for (const json& c : cases("regression")) {
    std::vector<EvaluatedSample> samples;
    for (size_t i = 0; i < c["targets"].size(); ++i) {
      EvaluatedSample s;
      s.target_values = floats(c["targets"][i]);
      s.predicted_values = floats(c["predictions"][i]);
      samples.push_back(std::move(s));
    }
    const int outputs = static_cast<int>(samples.front().target_values.size());
    const RegressionMetrics m = regression_metrics(samples, outputs);
    const json& want = c["expected"];
    for (int o = 0; o < outputs; ++o) {
      EXPECT_NEAR(m.per_output[o].mae, want["per_output"][o]["mae"].get<double>(), kTolerance) << o;
      EXPECT_NEAR(m.per_output[o].rmse, want["per_output"][o]["rmse"].get<double>(), kTolerance)
          << o;
      EXPECT_NEAR(m.per_output[o].r2, want["per_output"][o]["r2"].get<double>(), kTolerance) << o;
    }
    EXPECT_NEAR(m.mean.mae, want["mae"].get<double>(), kTolerance);
    EXPECT_NEAR(m.mean.rmse, want["rmse"].get<double>(), kTolerance);
    EXPECT_NEAR(m.mean.r2, want["r2"].get<double>(), kTolerance);
  }
}

// Hand-checkable: the definitions, not just agreement with sklearn.
TEST(EvalMetrics, CalibrationBinsByHand) {
  std::vector<EvaluatedSample> samples(4);
  const std::vector<std::vector<float>> probs = {
      {0.9f, 0.1f}, {0.9f, 0.1f}, {0.45f, 0.55f}, {0.55f, 0.45f}};
  const int targets[] = {0, 1, 1, 0};
  for (size_t i = 0; i < 4; ++i) {
    samples[i].probabilities = probs[i];
    samples[i].target = targets[i];
    samples[i].predicted = probs[i][0] >= probs[i][1] ? 0 : 1;
  }
  const ClassificationMetrics m = classification_metrics(samples, 2, 1, 0.0);
  // Two samples at 0.9 (half right), two at 0.55 (both right): (2/4)*0.4 + (2/4)*0.45.
  EXPECT_NEAR(m.expected_calibration_error, 0.425, 1e-6);
  EXPECT_EQ(m.calibration[13].count, 2);  // (0.8667, 0.9333]
  EXPECT_EQ(m.calibration[8].count, 2);   // (0.5333, 0.6]: 0.6f itself would be above 0.6
}

}  // namespace
}  // namespace infera
