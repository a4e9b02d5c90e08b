// The confusion matrix as a heat map: one cell per (actual, predicted) pair with its count
// written in it, darker for larger counts, class names on both axes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/canvas.h"

namespace infera::report {

struct ConfusionMatrixInput {
  std::vector<std::string> class_names;
  // Row-major, class_names.size() squared: counts[actual * n + predicted].
  std::vector<int64_t> counts;
  std::string title = "Confusion matrix";
};

struct ConfusionMatrixLayout {
  int width = 0, height = 0;
  std::vector<Rect> cells;  // the same order as counts
};

// The cell colour for a count, from near-white (0) to dark blue (`max_count`). Shade follows
// the square root of the count so that the few off-diagonal errors still show beside a
// diagonal that is hundreds of times larger; larger counts are always darker.
Color heat_color(int64_t count, int64_t max_count);

// Throws Error(kInvalidArgument) when counts is not n*n for n class names, or has a negative
// count; Error(kIo) when the file cannot be written.
ConfusionMatrixLayout draw_confusion_matrix(const ConfusionMatrixInput& input,
                                            const std::string& png_path);

}  // namespace infera::report
