// Evaluation: a labelled dataset streamed through a pipeline in batches, each answer kept as an
// EvaluatedSample, then the metrics for the pipeline's task.
//
//   Pipeline pipeline = Pipeline::load("model.onnx");
//   std::unique_ptr<Dataset> data = open_dataset("folder:photos");
//   EvalOptions options;
//   options.on_skip = [](const BadRecord& bad) { std::cerr << "skipped " << bad.what() << "\n"; };
//   EvalResult result = evaluate(pipeline, *data, options);
//   result.classification->accuracy, result.samples[i].confidence
//
// Records whose target does not fit the task (a class index beyond the model's classes, an
// unknown label name), that cannot be decoded or that preprocessing refuses are skipped and
// reported through on_skip, or end the evaluation with `strict`.
#pragma once

#include <functional>
#include <optional>

#include "data/dataset.h"
#include "eval/metrics.h"
#include "infera/pipeline.h"

namespace infera {

struct EvalOptions {
  int batch_size = 64;
  int64_t limit = -1;   // evaluate at most this many records; -1 all
  int top_k = 0;        // for top-k accuracy; 0: the spec's top_k when above 1, else 5
  bool strict = false;  // a bad record ends the evaluation (its BadRecord is thrown)
  std::function<void(int64_t done, int64_t total)> on_progress;  // total -1 when unknown
  std::function<void(const BadRecord&)> on_skip;
};

struct EvalResult {
  Task task = Task::kMulticlass;
  std::vector<std::string> labels;  // class (or label, or output) names, index order
  std::vector<EvaluatedSample> samples;
  int64_t skipped = 0;
  double seconds = 0;
  std::optional<ClassificationMetrics> classification;  // multiclass and binary
  std::optional<BinaryMetrics> binary;
  std::optional<MultilabelMetrics> multilabel;
  std::optional<RegressionMetrics> regression;
};

EvalResult evaluate(const Pipeline& pipeline, Dataset& data, const EvalOptions& options);

// Wrong answers (multiclass, binary), most confident first; ties keep dataset order.
std::vector<const EvaluatedSample*> most_confident_mistakes(
    const std::vector<EvaluatedSample>& samples, size_t count);

}  // namespace infera
