// Evaluation metrics: pure functions of per-sample predictions and targets, computed in double.
//
//   std::vector<EvaluatedSample> samples = ...;           // one per dataset record
//   ClassificationMetrics m = classification_metrics(samples, /*classes=*/10, /*top_k=*/3, 0.0);
//   m.accuracy, m.top_k_accuracy, m.per_class[3].f1, m.confusion[true][predicted], m.ece
//
// Every figure matches scikit-learn 1.2 on the same inputs (tests/fixtures/make_metric_fixtures.py
// writes sklearn's values; tests/unit/eval_metrics_test.cpp checks ours to 1e-9). Where sklearn
// has a choice we follow it: precision/recall/F1 of a class with no predictions or no samples
// is 0 (zero_division=0), and classes with no samples still count in macro averages.
// The samples are kept whole so that figures (confusion heat map, reliability diagram,
// scatter, most confident mistakes) can be drawn from the same data the numbers came from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace infera {

struct EvaluatedSample {
  std::string source;  // file, "file:line N" or "dataset[index]"
  // classification (multiclass, binary): the true class and the model's choice
  int target = -1;
  int predicted = -1;                // argmax, or for binary p(class 1) >= threshold
  bool rejected = false;             // its confidence is below min_confidence (answer "unknown")
  float confidence = 0;              // probability of the predicted class
  std::vector<float> probabilities;  // per class (binary: 2); multilabel: per label
  // multilabel: 0/1 per label; regression: the de-normalised true values
  std::vector<float> target_values;
  std::vector<float> predicted_values;  // regression: de-normalised outputs
};

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;  // samples whose true class (or label) this is
};

// From true positives, false positives and false negatives; 0 where a ratio is 0/0.
ClassScores class_scores(int64_t true_positives, int64_t false_positives, int64_t false_negatives);

// Reliability: samples grouped by their highest probability into equal-width bins over [0, 1].
// Bin b holds lower < confidence <= upper (bin 0 also holds 0). ECE = sum over bins of
// count / N * |accuracy - mean confidence|, where a sample is correct when its argmax (ties to
// the lower index) is its true class.
struct CalibrationBin {
  double lower = 0, upper = 0;
  int64_t count = 0;
  double mean_confidence = 0, accuracy = 0;  // 0 for an empty bin
};
inline constexpr int kCalibrationBins = 15;

struct ClassificationMetrics {
  int64_t samples = 0;
  int classes = 0;
  int64_t correct = 0;  // predicted == target
  double accuracy = 0;
  int top_k = 1;
  double top_k_accuracy = 0;  // target among the k highest probabilities, ties to lower index
  // Mean cross-entropy, as sklearn's log_loss: probabilities clipped to [eps, 1 - eps]
  // (eps = 2^-52, float64's epsilon), each row renormalised to sum 1, then -log p[target].
  double log_loss = 0;
  std::vector<ClassScores> per_class;
  ClassScores macro;     // unweighted mean over every class; support = samples
  ClassScores weighted;  // mean weighted by support
  std::vector<std::vector<int64_t>> confusion;  // [true class][predicted class]
  std::vector<CalibrationBin> calibration;
  double expected_calibration_error = 0;
  // min_confidence: how many answers were "unknown", and the accuracy on the others
  double min_confidence = 0;
  int64_t rejected = 0;
  double rejected_rate = 0;
  double accuracy_on_accepted = 0;  // NaN when every sample was rejected
};

// Targets must lie in [0, classes); each sample needs `classes` probabilities.
ClassificationMetrics classification_metrics(const std::vector<EvaluatedSample>& samples,
                                             int classes, int top_k, double min_confidence);

struct BinaryMetrics {
  double threshold = 0.5;
  int64_t positives = 0, negatives = 0;
  double accuracy = 0;  // at the threshold
  // Scores are p(class 1). NaN when only one class is present.
  double roc_auc = 0;            // area under the ROC curve, ties as one step (trapezoid)
  double average_precision = 0;  // sum over thresholds of (R_n - R_{n-1}) * P_n (sklearn)
};

// Samples' target and predicted in {0, 1}, probabilities {p0, p1}.
BinaryMetrics binary_metrics(const std::vector<EvaluatedSample>& samples, double threshold);

struct MultilabelMetrics {
  int labels = 0;
  int64_t samples = 0;
  double subset_accuracy = 0;  // every label right
  std::vector<ClassScores> per_label;
  ClassScores micro;  // from the counts pooled over labels
  double macro_f1 = 0;
};

// target_values: 0/1 per label; a label is predicted when probability >= its threshold
// (`thresholds` one per label, or one for all).
MultilabelMetrics multilabel_metrics(const std::vector<EvaluatedSample>& samples, int labels,
                                     const std::vector<float>& thresholds);

struct RegressionOutputMetrics {
  double mae = 0, rmse = 0, r2 = 0;
};

// Per output, and their unweighted mean (sklearn's multioutput="uniform_average"; so the
// mean RMSE is the mean of the per-output RMSEs). R² of a constant target is 1 when predicted
// exactly and 0 otherwise, as sklearn's force_finite.
struct RegressionMetrics {
  int outputs = 0;
  int64_t samples = 0;
  std::vector<RegressionOutputMetrics> per_output;
  RegressionOutputMetrics mean;
};

RegressionMetrics regression_metrics(const std::vector<EvaluatedSample>& samples, int outputs);

}  // namespace infera
