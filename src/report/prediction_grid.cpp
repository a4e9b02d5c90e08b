#include "report/prediction_grid.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "infera/error.h"
#include "report/axes.h"

namespace infera::report {
namespace {

// SplitMix64: a tiny generator with a fixed, documented output sequence.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias: rejects the few values of the last partial range.
uint64_t uniform_below(uint64_t& state, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t r;
  do r = next_random(state);
  while (r >= limit);
  return r % bound;
}

constexpr double kTitleSize = 15;
constexpr double kMinTitleSize = 11;
constexpr double kLineHeight = 19;
constexpr double kPad = 10;

std::string confidence_text(double confidence) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "(%.2f)", confidence);
  return buf;
}

// "Coat / Shirt (0.71)" on one line when it fits at a readable size, else split after the
// slash onto two lines; either way shrunk only as much as the cell's width needs.
void draw_cell_title(Canvas& canvas, const GridSample& s, const Rect& title_area) {
  TextStyle style{.size = kTitleSize,
                  .align = TextAlign::kCenter,
                  .bold = !s.correct(),
                  .color = s.correct() ? kBlack : kWrongRed};
  const std::string one_line = s.actual + " / " + s.predicted + " " + confidence_text(s.confidence);
  const double max_width = title_area.width - 4;
  const Point mid = title_area.center();
  if (canvas.fitting_size(one_line, style, max_width) >= kTitleSize) {
    canvas.text(one_line, mid, style);
    return;
  }
  const std::string first = s.actual + " /";
  const std::string second = s.predicted + " " + confidence_text(s.confidence);
  style.size = std::max(kMinTitleSize, std::min(canvas.fitting_size(first, style, max_width),
                                                canvas.fitting_size(second, style, max_width)));
  canvas.text(first, {mid.x, mid.y - kLineHeight / 2}, style);
  canvas.text(second, {mid.x, mid.y + kLineHeight / 2}, style);
}

}  // namespace

std::vector<int64_t> pick_sample_indices(int64_t n, int64_t count, uint64_t seed) {
  count = std::clamp<int64_t>(count, 0, std::max<int64_t>(n, 0));
  // Floyd's algorithm: `count` distinct values in `count` draws, without an n-sized array.
  uint64_t state = seed;
  std::unordered_set<int64_t> chosen;
  for (int64_t j = n - count; j < n; ++j) {
    const int64_t t = static_cast<int64_t>(uniform_below(state, static_cast<uint64_t>(j) + 1));
    chosen.insert(chosen.count(t) ? j : t);
  }
  std::vector<int64_t> indices(chosen.begin(), chosen.end());
  std::sort(indices.begin(), indices.end());
  return indices;
}

GridLayout draw_prediction_grid(const std::vector<GridSample>& samples, const GridOptions& options,
                                const std::string& png_path) {
  if (options.rows <= 0 || options.cols <= 0 || options.image_size <= 0)
    throw Error(ErrorKind::kInvalidArgument,
                "a prediction grid needs positive rows, cols and image size, got " +
                    std::to_string(options.rows) + "x" + std::to_string(options.cols) + " at " +
                    std::to_string(options.image_size) + " px");
  const double side = options.image_size;
  const double title_height = 2 * kLineHeight + 6;
  const double cell_width = side + 2 * kPad, cell_height = title_height + side + kPad;
  const double header = 44;
  GridLayout layout;
  const TextStyle title_style{
      .size = kFigureTitleFontSize, .align = TextAlign::kCenter, .bold = true};
  const double grid_width = options.cols * cell_width;
  // A grid of one or two columns is narrower than its title: widen it and centre the cells.
  const double title_width = Canvas(1, 1).text_width(options.title, title_style);
  layout.width = static_cast<int>(std::max(grid_width + 2 * kPad, title_width + 40));
  const double left = (layout.width - grid_width) / 2;
  layout.height = static_cast<int>(header + options.rows * cell_height + kPad);
  Canvas canvas(layout.width, layout.height);
  canvas.text(options.title, {layout.width / 2.0, header / 2}, title_style);
  const size_t shown = std::min(samples.size(), static_cast<size_t>(options.rows * options.cols));
  for (size_t i = 0; i < shown; ++i) {
    const GridSample& s = samples[i];
    const Rect cell{left + static_cast<double>(i % options.cols) * cell_width,
                    header + static_cast<double>(i / options.cols) * cell_height, cell_width,
                    cell_height};
    // Fitted into the square, keeping its proportions: a wide photo stays wide.
    const double scale = side / std::max(s.image.width, s.image.height);
    const double w = s.image.width * scale, h = s.image.height * scale;
    const Rect image{cell.x + kPad + (side - w) / 2, cell.y + title_height + (side - h) / 2, w, h};
    draw_cell_title(canvas, s, {cell.x, cell.y, cell.width, title_height});
    canvas.draw_image(s.image, image);
    if (!s.correct()) canvas.stroke_rect({image.x - 4, image.y - 4, w + 8, h + 8}, kWrongRed, 4);
    layout.cells.push_back(cell);
    layout.images.push_back(image);
  }
  canvas.write_png(png_path);
  return layout;
}

}  // namespace infera::report
