#include "report/evaluation_report.h"

#include <unordered_map>

#include "data/dataset.h"
#include "eval/eval_json.h"

namespace infera::report {
namespace {

std::string label_name(const EvalResult& result, int index) {
  if (index >= 0 && index < static_cast<int>(result.labels.size())) return result.labels[index];
  return std::to_string(index);
}

ConfusionMatrixInput confusion_input(const EvalResult& result) {
  const ClassificationMetrics& m = *result.classification;
  ConfusionMatrixInput input;
  for (int c = 0; c < m.classes; ++c) input.class_names.push_back(label_name(result, c));
  for (const std::vector<int64_t>& row : m.confusion)
    input.counts.insert(input.counts.end(), row.begin(), row.end());
  return input;
}

ReliabilityInput reliability_input(const ClassificationMetrics& m) {
  ReliabilityInput input;
  for (const CalibrationBin& b : m.calibration)
    input.bins.push_back({b.lower, b.upper, b.count, b.accuracy, b.mean_confidence});
  input.expected_calibration_error = m.expected_calibration_error;
  return input;
}

// Every output of every sample, pooled: one point per (sample, output).
ScatterInput scatter_input(const EvalResult& result) {
  ScatterInput input;
  for (const EvaluatedSample& s : result.samples)
    for (size_t k = 0; k < s.target_values.size() && k < s.predicted_values.size(); ++k) {
      input.actual.push_back(s.target_values[k]);
      input.predicted.push_back(s.predicted_values[k]);
    }
  if (!result.samples.empty() && result.samples.front().target_values.size() > 1)
    input.title += " (all outputs)";
  return input;
}

}  // namespace

std::vector<GridSample> pick_grid_samples(const EvalResult& result, const std::string& data_spec,
                                          int count, uint64_t seed) {
  const std::vector<int64_t> picked =
      pick_sample_indices(static_cast<int64_t>(result.samples.size()), count, seed);
  // Sources are unique per record, so one more pass over the data finds the picked images;
  // skipped records are skipped again.
  std::unordered_map<std::string, size_t> wanted;
  for (size_t i = 0; i < picked.size(); ++i) wanted[result.samples[picked[i]].source] = i;
  std::vector<GridSample> samples(picked.size());
  size_t found = 0;
  std::unique_ptr<Dataset> data = open_dataset(data_spec);
  DataRecord record;
  while (found < picked.size()) {
    try {
      if (!data->next(record)) break;
    } catch (const BadRecord&) {
      continue;
    }
    const auto it = wanted.find(record.location);
    if (it == wanted.end()) continue;
    if (!record.is_image) return {};  // tensors (a CSV table, NPY): nothing to show
    const EvaluatedSample& s = result.samples[picked[it->second]];
    GridSample& g = samples[it->second];
    g.image = std::move(record.image);
    g.actual = label_name(result, s.target);
    g.predicted = s.rejected ? "unknown" : label_name(result, s.predicted);
    g.confidence = s.confidence;
    ++found;
  }
  if (found < picked.size())
    throw Error(ErrorKind::kInvalidArgument, data_spec + " changed since it was evaluated: " +
                                                 std::to_string(picked.size() - found) +
                                                 " picked samples were not found again");
  return samples;
}

ReportFiles write_evaluation_report(const std::string& folder, const EvalResult& result,
                                    const EvaluationReportOptions& options) {
  ReportInput input;
  input.title = options.title;
  input.metrics = eval_result_to_json(result, false);
  if (result.classification) {
    input.confusion_matrix = confusion_input(result);
    input.reliability = reliability_input(*result.classification);
    if (!options.data_spec.empty() && !result.samples.empty()) {
      PredictionGridInput grid;
      grid.options.rows = options.grid_rows;
      grid.options.cols = options.grid_cols;
      grid.samples = pick_grid_samples(result, options.data_spec,
                                       options.grid_rows * options.grid_cols, options.grid_seed);
      if (!grid.samples.empty()) input.prediction_grid = std::move(grid);
    }
  }
  if (result.regression) input.scatter = scatter_input(result);
  return write_report(folder, input);
}

}  // namespace infera::report
