// Multiclass metrics. Counting is exact (integers); ratios are formed once at the end so the
// results match scikit-learn's to the last few bits.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "eval/metrics.h"
#include "infera/error.h"

namespace infera {
namespace {

// The k highest probabilities, ties to the lower index (as argmax and the pipeline's top-k).
bool target_in_top_k(const std::vector<float>& probabilities, int target, int k) {
  const float target_probability = probabilities[static_cast<size_t>(target)];
  int ranked_above = 0;
  for (int c = 0; c < static_cast<int>(probabilities.size()); ++c) {
    const float p = probabilities[static_cast<size_t>(c)];
    if (p > target_probability || (p == target_probability && c < target)) ++ranked_above;
  }
  return ranked_above < k;
}

int argmax(const std::vector<float>& values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

// sklearn.metrics.log_loss for one row: clip, renormalise, -log p[target].
double cross_entropy(const std::vector<float>& probabilities, int target) {
  const double eps = std::numeric_limits<double>::epsilon();
  double sum = 0;
  for (float p : probabilities) sum += std::clamp(static_cast<double>(p), eps, 1 - eps);
  const double p_target =
      std::clamp(static_cast<double>(probabilities[static_cast<size_t>(target)]), eps, 1 - eps);
  return -std::log(p_target / sum);
}

void check_sample(const EvaluatedSample& sample, int classes) {
  if (sample.target < 0 || sample.target >= classes)
    throw Error(ErrorKind::kInvalidArgument, sample.source + ": target class " +
                                                 std::to_string(sample.target) + " is not in [0, " +
                                                 std::to_string(classes) + ")");
  if (static_cast<int>(sample.probabilities.size()) != classes)
    throw Error(ErrorKind::kInvalidArgument,
                sample.source + ": " + std::to_string(sample.probabilities.size()) +
                    " probabilities for " + std::to_string(classes) + " classes");
}

void fill_calibration(ClassificationMetrics& m, const std::vector<EvaluatedSample>& samples) {
  std::vector<double> edges(kCalibrationBins + 1);
  // np.linspace(0, 1, 16): i * (1/15), the last edge exactly 1.
  for (int i = 0; i < kCalibrationBins; ++i) edges[i] = i * (1.0 / kCalibrationBins);
  edges[kCalibrationBins] = 1.0;
  std::vector<double> confidence_sum(kCalibrationBins, 0.0);
  std::vector<int64_t> correct(kCalibrationBins, 0);
  m.calibration.assign(kCalibrationBins, CalibrationBin{});
  for (const EvaluatedSample& s : samples) {
    const int best = argmax(s.probabilities);
    const double confidence = s.probabilities[static_cast<size_t>(best)];
    int bin = 0;
    while (bin + 1 < kCalibrationBins && confidence > edges[bin + 1]) ++bin;
    m.calibration[bin].count += 1;
    confidence_sum[bin] += confidence;
    correct[bin] += best == s.target;
  }
  double ece = 0;
  for (int b = 0; b < kCalibrationBins; ++b) {
    CalibrationBin& bin = m.calibration[b];
    bin.lower = edges[b];
    bin.upper = edges[b + 1];
    if (bin.count == 0) continue;
    bin.mean_confidence = confidence_sum[b] / static_cast<double>(bin.count);
    bin.accuracy = static_cast<double>(correct[b]) / static_cast<double>(bin.count);
    ece += static_cast<double>(bin.count) / static_cast<double>(samples.size()) *
           std::abs(bin.accuracy - bin.mean_confidence);
  }
  m.expected_calibration_error = ece;
}

void fill_class_scores(ClassificationMetrics& m) {
  const int classes = m.classes;
  m.per_class.assign(static_cast<size_t>(classes), ClassScores{});
  for (int c = 0; c < classes; ++c) {
    int64_t predicted_as_c = 0, actually_c = 0;
    for (int other = 0; other < classes; ++other) {
      predicted_as_c += m.confusion[other][c];
      actually_c += m.confusion[c][other];
    }
    const int64_t tp = m.confusion[c][c];
    m.per_class[c] = class_scores(tp, predicted_as_c - tp, actually_c - tp);
  }
  m.macro = ClassScores{};
  m.weighted = ClassScores{};
  for (const ClassScores& s : m.per_class) {
    m.macro.precision += s.precision / classes;
    m.macro.recall += s.recall / classes;
    m.macro.f1 += s.f1 / classes;
    if (m.samples == 0) continue;
    const double weight = static_cast<double>(s.support) / static_cast<double>(m.samples);
    m.weighted.precision += s.precision * weight;
    m.weighted.recall += s.recall * weight;
    m.weighted.f1 += s.f1 * weight;
  }
  m.macro.support = m.weighted.support = m.samples;
}

}  // namespace

ClassScores class_scores(int64_t true_positives, int64_t false_positives, int64_t false_negatives) {
  ClassScores s;
  s.support = true_positives + false_negatives;
  const auto ratio = [](int64_t num, int64_t den) {
    return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
  };
  s.precision = ratio(true_positives, true_positives + false_positives);
  s.recall = ratio(true_positives, s.support);
  // sklearn's F-beta with beta 1: (1 + 1) P R / (P + R), 0 when P + R is 0.
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

ClassificationMetrics classification_metrics(const std::vector<EvaluatedSample>& samples,
                                             int classes, int top_k, double min_confidence) {
  if (classes < 1) throw Error(ErrorKind::kInvalidArgument, "classification metrics need classes");
  ClassificationMetrics m;
  m.samples = static_cast<int64_t>(samples.size());
  m.classes = classes;
  m.top_k = std::clamp(top_k, 1, classes);
  m.min_confidence = min_confidence;
  m.confusion.assign(static_cast<size_t>(classes),
                     std::vector<int64_t>(static_cast<size_t>(classes), 0));
  int64_t in_top_k = 0, correct_accepted = 0;
  double loss_sum = 0;
  for (const EvaluatedSample& s : samples) {
    check_sample(s, classes);
    if (s.predicted < 0 || s.predicted >= classes)
      throw Error(ErrorKind::kInvalidArgument,
                  s.source + ": predicted class " + std::to_string(s.predicted) + " out of range");
    m.confusion[s.target][s.predicted] += 1;
    const bool correct = s.predicted == s.target;
    m.correct += correct;
    in_top_k += target_in_top_k(s.probabilities, s.target, m.top_k);
    loss_sum += cross_entropy(s.probabilities, s.target);
    if (s.rejected)
      m.rejected += 1;
    else
      correct_accepted += correct;
  }
  const double n = static_cast<double>(m.samples);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.accuracy = m.samples ? static_cast<double>(m.correct) / n : nan;
  m.top_k_accuracy = m.samples ? static_cast<double>(in_top_k) / n : nan;
  m.log_loss = m.samples ? loss_sum / n : nan;
  m.rejected_rate = m.samples ? static_cast<double>(m.rejected) / n : nan;
  const int64_t accepted = m.samples - m.rejected;
  m.accuracy_on_accepted =
      accepted ? static_cast<double>(correct_accepted) / static_cast<double>(accepted) : nan;
  fill_class_scores(m);
  fill_calibration(m, samples);
  return m;
}

}  // namespace infera
