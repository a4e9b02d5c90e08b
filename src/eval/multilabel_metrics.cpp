// Multilabel metrics: each label is its own yes/no question; micro pools the counts of every
// label, macro averages the per-label F1 (labels that never occur included, as sklearn does).
#include <cmath>
#include <limits>
#include <string>

#include "eval/metrics.h"
#include "infera/error.h"

namespace infera {

MultilabelMetrics multilabel_metrics(const std::vector<EvaluatedSample>& samples, int labels,
                                     const std::vector<float>& thresholds) {
  if (thresholds.size() != 1 && static_cast<int>(thresholds.size()) != labels)
    throw Error(ErrorKind::kInvalidArgument,
                "multilabel metrics: " + std::to_string(thresholds.size()) + " thresholds for " +
                    std::to_string(labels) + " labels");
  MultilabelMetrics m;
  m.labels = labels;
  m.samples = static_cast<int64_t>(samples.size());
  std::vector<int64_t> tp(static_cast<size_t>(labels)), fp(tp.size()), fn(tp.size());
  int64_t exact = 0;
  for (const EvaluatedSample& s : samples) {
    if (static_cast<int>(s.probabilities.size()) != labels ||
        static_cast<int>(s.target_values.size()) != labels)
      throw Error(ErrorKind::kInvalidArgument, s.source + ": expected " + std::to_string(labels) +
                                                   " probabilities and target values");
    bool all_right = true;
    for (size_t l = 0; l < static_cast<size_t>(labels); ++l) {
      const float threshold = thresholds.size() == 1 ? thresholds[0] : thresholds[l];
      const bool predicted = s.probabilities[l] >= threshold;
      const bool actual = s.target_values[l] != 0;
      tp[l] += predicted && actual;
      fp[l] += predicted && !actual;
      fn[l] += !predicted && actual;
      all_right = all_right && predicted == actual;
    }
    exact += all_right;
  }
  m.subset_accuracy = samples.empty()
                          ? std::numeric_limits<double>::quiet_NaN()
                          : static_cast<double>(exact) / static_cast<double>(samples.size());
  int64_t tp_sum = 0, fp_sum = 0, fn_sum = 0;
  for (size_t l = 0; l < static_cast<size_t>(labels); ++l) {
    m.per_label.push_back(class_scores(tp[l], fp[l], fn[l]));
    m.macro_f1 += m.per_label.back().f1 / labels;
    tp_sum += tp[l], fp_sum += fp[l], fn_sum += fn[l];
  }
  m.micro = class_scores(tp_sum, fp_sum, fn_sum);
  return m;
}

}  // namespace infera
