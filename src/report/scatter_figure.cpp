#include "report/scatter_figure.h"

#include <algorithm>
#include <cmath>

#include "infera/error.h"

namespace infera::report {

ScatterLayout draw_regression_scatter(const ScatterInput& input, const std::string& png_path) {
  if (input.actual.size() != input.predicted.size() || input.actual.empty())
    throw Error(ErrorKind::kInvalidArgument,
                "a scatter needs as many predicted values as actual ones, and at least one; got " +
                    std::to_string(input.actual.size()) + " actual and " +
                    std::to_string(input.predicted.size()) + " predicted");
  double low = input.actual[0], high = input.actual[0];
  for (const std::vector<double>* values : {&input.actual, &input.predicted}) {
    for (double v : *values) {
      if (!std::isfinite(v))
        throw Error(ErrorKind::kInvalidArgument, "a scatter value is not finite");
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  // A margin, so a dot on the extreme value is not cut in half by the frame.
  const double margin = high > low ? 0.03 * (high - low) : 1;
  const std::vector<double> ticks = nice_ticks(low - margin, high + margin, 6);
  ScatterLayout layout{.width = 640, .height = 640};
  layout.axes = {.area = {90, 60, 520, 500},
                 .x_low = ticks.front(),
                 .x_high = ticks.back(),
                 .y_low = ticks.front(),
                 .y_high = ticks.back()};
  const Axes& axes = layout.axes;
  Canvas canvas(layout.width, layout.height);
  canvas.text(input.title, {layout.width / 2.0, 28},
              {.size = kFigureTitleFontSize, .align = TextAlign::kCenter, .bold = true});
  draw_axes(canvas, axes, ticks, ticks, {.x = input.x_title, .y = input.y_title});
  canvas.line(axes.to_px(ticks.front(), ticks.front()), axes.to_px(ticks.back(), ticks.back()),
              kIdentityLine, 2, true);
  const Rect& a = axes.area;
  // Top left: the corner farthest from the line.
  canvas.text("y = x", {a.x + 10, a.y + 16},
              {.size = kTickFontSize, .align = TextAlign::kLeft, .color = kIdentityLine});
  for (size_t i = 0; i < input.actual.size(); ++i)
    canvas.dot(axes.to_px(input.actual[i], input.predicted[i]), 4, kScatterDot);
  canvas.write_png(png_path);
  return layout;
}

}  // namespace infera::report
