// The evaluation report: the figures as PNG files, the metrics as report.json, and an
// index.html that shows both, in one folder.
//
//   ReportInput input;
//   input.title = "fashion_mnist_cnn on t10k";
//   input.metrics = {{"accuracy", 0.9095}, {"per_class", {{{"class", "Bag"}, {"f1", 0.97}}}}};
//   input.confusion_matrix = ConfusionMatrixInput{names, counts};
//   ReportFiles files = write_report("out/report", input);   // out/report/index.html
//
// index.html needs nothing beyond the folder: its CSS is inline, it has no script and uses
// the reader's own fonts; the figures are PNG files beside it, referenced by relative name.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/confusion_matrix_figure.h"
#include "report/prediction_grid.h"
#include "report/reliability_figure.h"
#include "report/scatter_figure.h"

namespace infera::report {

struct PredictionGridInput {
  std::vector<GridSample> samples;
  GridOptions options;
};

struct ReportInput {
  std::string title = "Evaluation report";
  // Shown as tables: scalars in one name/value table; each object as a table of its own;
  // each array of objects (per-class metrics, say) as a table with a column per key.
  nlohmann::json metrics = nlohmann::json::object();
  std::optional<PredictionGridInput> prediction_grid;
  std::optional<ConfusionMatrixInput> confusion_matrix;
  std::optional<ReliabilityInput> reliability;
  std::optional<ScatterInput> scatter;
};

struct ReportFigure {
  std::string file;     // a name inside the report folder: "confusion_matrix.png"
  std::string caption;  // what it shows
};

struct ReportFiles {
  std::string folder;
  std::vector<ReportFigure> figures;  // only those the input asked for
  std::string json_path, html_path;
};

// Creates `folder` if needed and writes each figure the input has, report.json
// ({"title", "metrics", "figures": [{"file", "caption"}]}) and index.html. Throws
// Error(kInvalidArgument) when metrics is not a JSON object, Error(kIo) when a file cannot
// be written.
ReportFiles write_report(const std::string& folder, const ReportInput& input);

// `text` with & < > " ' escaped for HTML.
std::string html_escape(const std::string& text);

}  // namespace infera::report
