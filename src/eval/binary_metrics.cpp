// Binary metrics from p(class 1). The curves step once per distinct score, so tied scores
// form one point, as in scikit-learn's roc_curve and precision_recall_curve.
#include <algorithm>
#include <limits>
#include <numeric>

#include "eval/metrics.h"
#include "infera/error.h"

namespace infera {

BinaryMetrics binary_metrics(const std::vector<EvaluatedSample>& samples, double threshold) {
  BinaryMetrics m;
  m.threshold = threshold;
  std::vector<double> scores(samples.size());
  int64_t correct = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const EvaluatedSample& s = samples[i];
    if ((s.target != 0 && s.target != 1) || s.probabilities.size() != 2)
      throw Error(ErrorKind::kInvalidArgument,
                  s.source + ": binary metrics need a target of 0 or 1 and two probabilities");
    scores[i] = s.probabilities[1];
    (s.target == 1 ? m.positives : m.negatives) += 1;
    correct += (scores[i] >= threshold) == (s.target == 1);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.accuracy =
      samples.empty() ? nan : static_cast<double>(correct) / static_cast<double>(samples.size());
  if (m.positives == 0 || m.negatives == 0) {
    m.roc_auc = m.average_precision = nan;
    return m;
  }
  std::vector<size_t> order(samples.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  int64_t true_positives = 0, false_positives = 0;
  double roc_area = 0, average_precision = 0;  // roc_area in units of (false, true) positives
  for (size_t i = 0; i < order.size();) {
    const int64_t tp_before = true_positives, fp_before = false_positives;
    const double score = scores[order[i]];
    for (; i < order.size() && scores[order[i]] == score; ++i)
      (samples[order[i]].target == 1 ? true_positives : false_positives) += 1;
    roc_area += static_cast<double>(false_positives - fp_before) *
                static_cast<double>(true_positives + tp_before) / 2;
    const double precision =
        static_cast<double>(true_positives) / static_cast<double>(true_positives + false_positives);
    average_precision += static_cast<double>(true_positives - tp_before) /
                         static_cast<double>(m.positives) * precision;
  }
  m.roc_auc = roc_area / (static_cast<double>(m.positives) * static_cast<double>(m.negatives));
  m.average_precision = average_precision;
  return m;
}

}  // namespace infera
