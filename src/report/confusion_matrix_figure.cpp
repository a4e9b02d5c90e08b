#include "report/confusion_matrix_figure.h"

#include <algorithm>
#include <cmath>

#include "infera/error.h"
#include "report/axes.h"

namespace infera::report {
namespace {

constexpr Color kHeatLow{0.97, 0.98, 1.0};
constexpr Color kHeatHigh{0.03, 0.19, 0.42};
constexpr double kLabelSize = 13;

void check_input(const ConfusionMatrixInput& input) {
  const size_t n = input.class_names.size();
  if (n == 0 || input.counts.size() != n * n)
    throw Error(ErrorKind::kInvalidArgument,
                "a confusion matrix for " + std::to_string(n) + " classes needs " +
                    std::to_string(n * n) + " counts, got " + std::to_string(input.counts.size()));
  for (int64_t c : input.counts)
    if (c < 0)
      throw Error(ErrorKind::kInvalidArgument,
                  "a confusion matrix count is negative: " + std::to_string(c));
}

}  // namespace

Color heat_color(int64_t count, int64_t max_count) {
  const double t = max_count > 0 ? std::sqrt(static_cast<double>(count) / max_count) : 0.0;
  return {kHeatLow.r + t * (kHeatHigh.r - kHeatLow.r), kHeatLow.g + t * (kHeatHigh.g - kHeatLow.g),
          kHeatLow.b + t * (kHeatHigh.b - kHeatLow.b)};
}

ConfusionMatrixLayout draw_confusion_matrix(const ConfusionMatrixInput& input,
                                            const std::string& png_path) {
  check_input(input);
  const int n = static_cast<int>(input.class_names.size());
  const int64_t max_count = *std::max_element(input.counts.begin(), input.counts.end());
  const double cell = std::clamp(560.0 / n, 36.0, 64.0);

  // Measure the labels first so nothing is clipped: the widest name sets the margins.
  Canvas probe(1, 1);
  const TextStyle label_style{.size = kLabelSize};
  double widest = 0;
  for (const std::string& name : input.class_names)
    widest = std::max(widest, probe.text_width(name, label_style));
  const bool vertical_x_labels = widest > cell - 6;
  const double labels_width = 20 + 24 + widest + 10;  // axis title, gap, names, gap
  const double top = 50;
  const double below = 10 + (vertical_x_labels ? widest : 18) + 12 + 24;
  const TextStyle title_style{
      .size = kFigureTitleFontSize, .align = TextAlign::kCenter, .bold = true};
  const double title_width = probe.text_width(input.title, title_style);
  ConfusionMatrixLayout layout;
  // Wide enough for the title too, which a matrix of two or three classes is not.
  const double natural_width = labels_width + n * cell + 30;
  layout.width = static_cast<int>(std::max(natural_width, title_width + 40));
  layout.height = static_cast<int>(top + n * cell + below);
  // Any extra width is shared equally left and right.
  const double shift = (layout.width - natural_width) / 2;
  const double left = shift + labels_width;
  Canvas canvas(layout.width, layout.height);
  // Over the matrix, unless that would push it past an edge.
  const double title_x =
      std::clamp(left + n * cell / 2, title_width / 2 + 20, layout.width - title_width / 2 - 20);
  canvas.text(input.title, {title_x, top / 2}, title_style);

  for (int a = 0; a < n; ++a) {
    for (int p = 0; p < n; ++p) {
      const Rect r{left + p * cell, top + a * cell, cell, cell};
      const int64_t count = input.counts[static_cast<size_t>(a) * n + p];
      const Color fill = heat_color(count, max_count);
      canvas.fill_rect(r, fill);
      TextStyle style{.size = 14, .align = TextAlign::kCenter};
      style.color = luminance(fill) < 0.45 ? kWhite : count == 0 ? kGrey : kBlack;
      const std::string text = std::to_string(count);
      style.size = canvas.fitting_size(text, style, cell - 6);
      canvas.text(text, r.center(), style);
      layout.cells.push_back(r);
    }
  }
  canvas.stroke_rect({left - 0.5, top - 0.5, n * cell + 1, n * cell + 1}, kGrey, 1);

  const double matrix_bottom = top + n * cell;
  for (int i = 0; i < n; ++i) {
    const std::string& name = input.class_names[i];
    canvas.text(name, {left - 8, top + (i + 0.5) * cell},
                {.size = kLabelSize, .align = TextAlign::kRight});
    TextStyle x_style{.size = kLabelSize, .align = TextAlign::kCenter};
    if (vertical_x_labels) {
      x_style.align = TextAlign::kRight;  // the name ends just under its column
      x_style.vertical = true;
    }
    canvas.text(name, {left + (i + 0.5) * cell, matrix_bottom + (vertical_x_labels ? 8 : 16)},
                x_style);
  }
  const TextStyle axis_title{.size = kAxisTitleFontSize, .align = TextAlign::kCenter, .bold = true};
  canvas.text("predicted", {left + n * cell / 2, layout.height - 18.0}, axis_title);
  TextStyle actual_title = axis_title;
  actual_title.vertical = true;
  canvas.text("actual", {shift + 20, top + n * cell / 2}, actual_title);
  canvas.write_png(png_path);
  return layout;
}

}  // namespace infera::report
