#include "eval/eval_json.h"

#include <cmath>

namespace infera {
namespace {

using nlohmann::json;

json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json scores_json(const ClassScores& s) {
  return {{"precision", number(s.precision)},
          {"recall", number(s.recall)},
          {"f1", number(s.f1)},
          {"support", s.support}};
}

std::string name_of(const EvalResult& result, size_t index) {
  return index < result.labels.size() ? result.labels[index] : std::to_string(index);
}

json classification_json(const EvalResult& result, const ClassificationMetrics& m) {
  json per_class = json::array();
  for (size_t c = 0; c < m.per_class.size(); ++c) {
    json row = scores_json(m.per_class[c]);
    row["class"] = name_of(result, c);
    per_class.push_back(row);
  }
  json calibration = json::array();
  for (const CalibrationBin& b : m.calibration)
    calibration.push_back({{"lower", b.lower},
                           {"upper", b.upper},
                           {"count", b.count},
                           {"mean_confidence", b.mean_confidence},
                           {"accuracy", b.accuracy}});
  return {{"samples", m.samples},
          {"correct", m.correct},
          {"accuracy", number(m.accuracy)},
          {"top_k", m.top_k},
          {"top_k_accuracy", number(m.top_k_accuracy)},
          {"log_loss", number(m.log_loss)},
          {"per_class", per_class},
          {"macro", scores_json(m.macro)},
          {"weighted", scores_json(m.weighted)},
          {"confusion", m.confusion},
          {"calibration_bins", calibration},
          {"expected_calibration_error", number(m.expected_calibration_error)},
          {"min_confidence", m.min_confidence},
          {"rejected", m.rejected},
          {"rejected_rate", number(m.rejected_rate)},
          {"accuracy_on_accepted", number(m.accuracy_on_accepted)}};
}

json sample_json(const EvaluatedSample& s) {
  json out = {{"source", s.source}};
  if (s.target >= 0) out["target"] = s.target;
  if (s.predicted >= 0) {
    out["predicted"] = s.predicted;
    out["confidence"] = s.confidence;
    out["rejected"] = s.rejected;
  }
  if (!s.probabilities.empty()) out["probabilities"] = s.probabilities;
  if (!s.target_values.empty()) out["target_values"] = s.target_values;
  if (!s.predicted_values.empty()) out["predicted_values"] = s.predicted_values;
  return out;
}

}  // namespace

json eval_result_to_json(const EvalResult& result, bool samples) {
  static const char* kTasks[] = {"multiclass", "binary", "multilabel", "regression"};
  json out = {{"task", kTasks[static_cast<int>(result.task)]},
              {"labels", result.labels},
              {"evaluated", result.samples.size()},
              {"skipped", result.skipped},
              {"seconds", result.seconds}};
  if (result.classification)
    out["classification"] = classification_json(result, *result.classification);
  if (result.binary) {
    const BinaryMetrics& b = *result.binary;
    out["binary"] = {
        {"threshold", b.threshold},     {"positives", b.positives},
        {"negatives", b.negatives},     {"accuracy", number(b.accuracy)},
        {"roc_auc", number(b.roc_auc)}, {"average_precision", number(b.average_precision)}};
  }
  if (result.multilabel) {
    const MultilabelMetrics& m = *result.multilabel;
    json per_label = json::array();
    for (size_t l = 0; l < m.per_label.size(); ++l) {
      json row = scores_json(m.per_label[l]);
      row["label"] = name_of(result, l);
      per_label.push_back(row);
    }
    out["multilabel"] = {{"subset_accuracy", number(m.subset_accuracy)},
                         {"per_label", per_label},
                         {"micro", scores_json(m.micro)},
                         {"macro_f1", number(m.macro_f1)}};
  }
  if (result.regression) {
    const RegressionMetrics& r = *result.regression;
    json per_output = json::array();
    for (const RegressionOutputMetrics& o : r.per_output)
      per_output.push_back(
          {{"mae", number(o.mae)}, {"rmse", number(o.rmse)}, {"r2", number(o.r2)}});
    out["regression"] = {{"mae", number(r.mean.mae)},
                         {"rmse", number(r.mean.rmse)},
                         {"r2", number(r.mean.r2)},
                         {"per_output", per_output}};
  }
  if (samples) {
    json list = json::array();
    for (const EvaluatedSample& s : result.samples) list.push_back(sample_json(s));
    out["samples"] = list;
  }
  return out;
}

}  // namespace infera
