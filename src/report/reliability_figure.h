// The reliability diagram of a classifier: for each confidence bin, the fraction of its
// predictions that were right, against the diagonal a calibrated model would follow; below it,
// how many predictions fell in each bin; the expected calibration error in the title.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "report/axes.h"

namespace infera::report {

struct ReliabilityBin {
  double lower = 0, upper = 0;  // the bin's confidence range, within [0, 1]
  int64_t count = 0;            // predictions whose confidence fell in it
  double accuracy = 0;          // the fraction of those that were right
  double mean_confidence = 0;
};

struct ReliabilityInput {
  std::vector<ReliabilityBin> bins;
  double expected_calibration_error = 0;
  std::string title = "Reliability";  // " (ECE = 0.0123)" is appended
};

struct ReliabilityLayout {
  int width = 0, height = 0;
  Axes accuracy_axes{};   // confidence -> accuracy, [0, 1] both ways
  Axes histogram_axes{};  // confidence -> count
};

// Throws Error(kInvalidArgument) for a bin outside [0, 1] or with a negative count,
// Error(kIo) when the file cannot be written.
ReliabilityLayout draw_reliability_diagram(const ReliabilityInput& input,
                                           const std::string& png_path);

}  // namespace infera::report
