#include "report/reliability_figure.h"

#include <algorithm>
#include <cstdio>

#include "infera/error.h"

namespace infera::report {
namespace {

constexpr Color kDiagonal{0.45, 0.45, 0.45};
constexpr Color kGapOrange{0.95, 0.55, 0.15};

void check_bins(const std::vector<ReliabilityBin>& bins) {
  for (const ReliabilityBin& b : bins) {
    if (!(b.lower >= 0 && b.upper <= 1 && b.lower < b.upper) || b.count < 0 ||
        !(b.accuracy >= 0 && b.accuracy <= 1))
      throw Error(ErrorKind::kInvalidArgument,
                  "a reliability bin must lie within [0, 1] with a count >= 0 and an accuracy in "
                  "[0, 1], got [" +
                      std::to_string(b.lower) + ", " + std::to_string(b.upper) + "] count " +
                      std::to_string(b.count) + " accuracy " + std::to_string(b.accuracy));
  }
}

void draw_legend(Canvas& canvas, Point at) {
  const TextStyle style{.size = kTickFontSize};
  // A white box, so a tall bar in a low-confidence bin cannot run through the text.
  const Rect box{at.x - 8, at.y - 14, 220, 68};
  canvas.fill_rect(box, kWhite);
  canvas.stroke_rect(box, kLightGrey, 1);
  canvas.fill_rect({at.x, at.y - 6, 16, 12}, kBarBlue);
  canvas.text("accuracy in bin", {at.x + 22, at.y}, style);
  canvas.fill_rect({at.x, at.y + 14, 16, 12}, kGapOrange);
  canvas.text("gap up to mean confidence", {at.x + 22, at.y + 20}, style);
  canvas.line({at.x, at.y + 40}, {at.x + 16, at.y + 40}, kDiagonal, 2, true);
  canvas.text("perfect calibration", {at.x + 22, at.y + 40}, style);
}

}  // namespace

ReliabilityLayout draw_reliability_diagram(const ReliabilityInput& input,
                                           const std::string& png_path) {
  check_bins(input.bins);
  ReliabilityLayout layout{.width = 640, .height = 760};
  const double left = 90, right = 30, plot_width = layout.width - left - right;
  layout.accuracy_axes = {.area = {left, 60, plot_width, 430}};
  int64_t max_count = 1;
  for (const ReliabilityBin& b : input.bins) max_count = std::max(max_count, b.count);
  const std::vector<double> count_ticks = nice_ticks(0, static_cast<double>(max_count), 3);
  layout.histogram_axes = {.area = {left, 540, plot_width, 140}, .y_high = count_ticks.back()};
  const Axes& top = layout.accuracy_axes;
  const Axes& bottom = layout.histogram_axes;

  Canvas canvas(layout.width, layout.height);
  char title[160];
  std::snprintf(title, sizeof title, "%s (ECE = %.4f)", input.title.c_str(),
                input.expected_calibration_error);
  canvas.text(title, {layout.width / 2.0, 28},
              {.size = kFigureTitleFontSize, .align = TextAlign::kCenter, .bold = true});
  const std::vector<double> unit_ticks = nice_ticks(0, 1, 5);
  draw_axes(canvas, top, {}, unit_ticks, {.y = "accuracy"});
  draw_axes(canvas, bottom, unit_ticks, count_ticks, {.x = "confidence", .y = "predictions"});

  for (const ReliabilityBin& b : input.bins) {
    if (b.count == 0) continue;  // no predictions: no accuracy to show
    const double x0 = top.to_px_x(b.lower) + 1, x1 = top.to_px_x(b.upper) - 1;
    // The orange part is the gap between what the model claimed and what it achieved.
    const double y_acc = top.to_px_y(b.accuracy), y_conf = top.to_px_y(b.mean_confidence);
    canvas.fill_rect({x0, y_acc, x1 - x0, top.to_px_y(0) - y_acc}, kBarBlue);
    canvas.fill_rect({x0, std::min(y_acc, y_conf), x1 - x0, std::abs(y_conf - y_acc)}, kGapOrange);
    const double y_count = bottom.to_px_y(static_cast<double>(b.count));
    canvas.fill_rect({x0, y_count, x1 - x0, bottom.to_px_y(0) - y_count}, kBarBlue);
    const std::string count_text = std::to_string(b.count);
    TextStyle count_style{.size = 11, .align = TextAlign::kCenter};
    count_style.size = canvas.fitting_size(count_text, count_style, x1 - x0);
    canvas.text(count_text, {(x0 + x1) / 2, y_count - 8}, count_style);
  }
  canvas.line(top.to_px(0, 0), top.to_px(1, 1), kDiagonal, 2, true);
  draw_legend(canvas, {left + 14, top.area.y + 18});
  canvas.write_png(png_path);
  return layout;
}

}  // namespace infera::report
