// A plot area with linear x and y scales: maps data to pixels and draws the frame, ticks,
// tick labels and axis titles around it. Shared by the reliability diagram and the scatter.
#pragma once

#include <string>
#include <vector>

#include "report/canvas.h"

namespace infera::report {

// About `target_count` round tick values (steps of 1, 2 or 5 times a power of ten) covering
// [low, high]; the first is <= low and the last >= high, so they make good axis limits too.
std::vector<double> nice_ticks(double low, double high, int target_count);

// A tick value as a short label: "0.25", "1000", "-3".
std::string tick_label(double value, double step);

struct Axes {
  Rect area;  // the plot area in pixels
  double x_low = 0, x_high = 1, y_low = 0, y_high = 1;

  double to_px_x(double x) const { return area.x + (x - x_low) / (x_high - x_low) * area.width; }
  // Pixel rows grow downwards; data y grows upwards.
  double to_px_y(double y) const {
    return area.y + area.height - (y - y_low) / (y_high - y_low) * area.height;
  }
  Point to_px(double x, double y) const { return {to_px_x(x), to_px_y(y)}; }
};

struct AxisTitles {
  std::string x{}, y{};
};

// Light grid lines at the ticks, the frame, tick marks and labels, and the axis titles.
// Either tick list may be empty to leave that axis bare.
void draw_axes(Canvas& canvas, const Axes& axes, const std::vector<double>& x_ticks,
               const std::vector<double>& y_ticks, const AxisTitles& titles);

inline constexpr double kTickFontSize = 13;
inline constexpr double kAxisTitleFontSize = 15;
inline constexpr double kFigureTitleFontSize = 18;

}  // namespace infera::report
