// Regression: predicted against actual values, one dot per sample, with the line y = x that
// a perfect model's dots would lie on. Both axes share one range so that line is the diagonal.
#pragma once

#include <string>
#include <vector>

#include "report/axes.h"

namespace infera::report {

struct ScatterInput {
  std::vector<double> actual{};
  std::vector<double> predicted{};  // the same length as actual
  std::string title = "Predicted vs actual";
  std::string x_title = "actual";
  std::string y_title = "predicted";
};

struct ScatterLayout {
  int width = 0, height = 0;
  Axes axes{};  // data -> pixels, so callers can find each dot
};

inline constexpr Color kScatterDot{0.12, 0.38, 0.70};
inline constexpr Color kIdentityLine{0.85, 0.30, 0.10};

// Throws Error(kInvalidArgument) when the lengths differ, there are no points or a value is
// not finite; Error(kIo) when the file cannot be written.
ScatterLayout draw_regression_scatter(const ScatterInput& input, const std::string& png_path);

}  // namespace infera::report
