#include "report/axes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace infera::report {

std::vector<double> nice_ticks(double low, double high, int target_count) {
  if (!(high > low)) high = low + 1;
  const double raw_step = (high - low) / std::max(target_count, 1);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = 10 * magnitude;
  for (double m : {1.0, 2.0, 5.0}) {
    if (m * magnitude >= raw_step) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> ticks;
  const double first = std::floor(low / step + 1e-9) * step;
  for (double t = first; t < high + step - step * 1e-9; t += step)
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);  // no "-0"
  return ticks;
}

std::string tick_label(double value, double step) {
  // Enough decimals to tell neighbouring ticks apart, and no more.
  const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

void draw_axes(Canvas& canvas, const Axes& axes, const std::vector<double>& x_ticks,
               const std::vector<double>& y_ticks, const AxisTitles& titles) {
  const Rect& a = axes.area;
  const TextStyle tick_style{.size = kTickFontSize};
  const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 1;
  const double y_step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : 1;
  for (double t : x_ticks) {
    const double px = axes.to_px_x(t);
    canvas.line({px, a.y}, {px, a.y + a.height}, kLightGrey, 1);
    canvas.line({px, a.y + a.height}, {px, a.y + a.height + 5}, kBlack, 1);
    TextStyle s = tick_style;
    s.align = TextAlign::kCenter;
    canvas.text(tick_label(t, x_step), {px, a.y + a.height + 15}, s);
  }
  double widest_y_label = 0;
  for (double t : y_ticks) {
    const double py = axes.to_px_y(t);
    canvas.line({a.x, py}, {a.x + a.width, py}, kLightGrey, 1);
    canvas.line({a.x - 5, py}, {a.x, py}, kBlack, 1);
    TextStyle s = tick_style;
    s.align = TextAlign::kRight;
    const std::string label = tick_label(t, y_step);
    widest_y_label = std::max(widest_y_label, canvas.text_width(label, s));
    canvas.text(label, {a.x - 8, py}, s);
  }
  canvas.stroke_rect({a.x - 0.5, a.y - 0.5, a.width + 1, a.height + 1}, kBlack, 1);
  const TextStyle title{.size = kAxisTitleFontSize, .align = TextAlign::kCenter};
  if (!titles.x.empty())
    canvas.text(titles.x, {a.x + a.width / 2, a.y + a.height + (x_ticks.empty() ? 16 : 36)}, title);
  if (!titles.y.empty()) {
    TextStyle vertical = title;
    vertical.vertical = true;
    canvas.text(titles.y, {a.x - widest_y_label - 24, a.y + a.height / 2}, vertical);
  }
}

}  // namespace infera::report
