// The report of one evaluation: metrics from an EvalResult, its figures, and a grid of samples
// re-read from the dataset the evaluation streamed.
//
//   EvalResult result = evaluate(pipeline, *open_dataset(spec), options);
//   EvaluationReportOptions report;
//   report.data_spec = spec;                       // re-read for the grid's images
//   write_evaluation_report("report", result, report);   // report/index.html
//
// Which figures: classification (multiclass, binary) gets the prediction grid (image data
// only), the confusion matrix and the reliability diagram; regression the predicted-vs-actual
// scatter; every task its metrics as tables.
#pragma once

#include <cstdint>
#include <string>

#include "eval/evaluator.h"
#include "report/html_report.h"

namespace infera::report {

struct EvaluationReportOptions {
  std::string title = "Evaluation report";
  std::string data_spec;  // the dataset evaluated; "" = no prediction grid
  int grid_rows = 4;
  int grid_cols = 4;
  uint64_t grid_seed = 0;
};

ReportFiles write_evaluation_report(const std::string& folder, const EvalResult& result,
                                    const EvaluationReportOptions& options);

// The grid's samples: `count` evaluated samples picked with `seed`, their images read again
// from the dataset (matched by source), titled with their true and predicted labels. Empty
// when the dataset holds tensors rather than images.
std::vector<GridSample> pick_grid_samples(const EvalResult& result, const std::string& data_spec,
                                          int count, uint64_t seed);

}  // namespace infera::report
