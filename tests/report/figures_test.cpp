// The report's figures, read back with our libpng decoder (not cairo, which drew them): sizes,
// and pixels where the layout says a bar, cell, dot or red frame must be.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "infera/error.h"
#include "pipeline/image.h"
#include "report/confusion_matrix_figure.h"
#include "report/prediction_grid.h"
#include "report/reliability_figure.h"
#include "report/scatter_figure.h"

namespace infera::report {
namespace {

std::string temp_png(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "infera_report_figures_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

struct Rgb {
  int r, g, b;
};

Rgb pixel(const Image& img, double x, double y) {
  const size_t i = (static_cast<size_t>(y) * img.width + static_cast<size_t>(x)) * img.channels;
  if (img.channels < 3) return {img.samples8[i], img.samples8[i], img.samples8[i]};
  return {img.samples8[i], img.samples8[i + 1], img.samples8[i + 2]};
}

bool near(Rgb p, Color c, int tolerance = 3) {
  return std::abs(p.r - static_cast<int>(std::lround(c.r * 255))) <= tolerance &&
         std::abs(p.g - static_cast<int>(std::lround(c.g * 255))) <= tolerance &&
         std::abs(p.b - static_cast<int>(std::lround(c.b * 255))) <= tolerance;
}

bool is_red(Rgb p) {
  return p.r > 170 && p.g < 90 && p.b < 90;
}

int count_pixels(const Image& img, const Rect& r, bool (*test)(Rgb)) {
  int n = 0;
  for (int y = static_cast<int>(r.y); y < static_cast<int>(r.y + r.height); ++y)
    for (int x = static_cast<int>(r.x); x < static_cast<int>(r.x + r.width); ++x)
      n += test(pixel(img, x, y));
  return n;
}

// The PNG at `path`, after checking it has the size the layout reports and a blank margin:
// ink at the very edge means a title or label was cut off.
template <typename Layout>
Image read_back(const std::string& path, const Layout& layout) {
  const Image png = read_image_file(path);
  EXPECT_EQ(png.width, layout.width);
  EXPECT_EQ(png.height, layout.height);
  auto not_white = [](Rgb p) { return !near(p, kWhite); };
  const double w = png.width, h = png.height;
  for (const Rect& edge :
       {Rect{0, 0, w, 3}, Rect{0, h - 3, w, 3}, Rect{0, 0, 3, h}, Rect{w - 3, 0, 3, h}})
    EXPECT_EQ(count_pixels(png, edge, not_white), 0) << path << ": ink at the edge";
  return png;
}

// A 28x28 grey image, white in its top half and black in its bottom half: shows which way up
// it was drawn.
Image top_white_image() {
  Image img;
  img.width = img.height = 28;
  img.channels = 1;
  img.samples8.assign(28 * 28, 0);
  std::fill(img.samples8.begin(), img.samples8.begin() + 14 * 28, 255);
  return img;
}

TEST(PickSampleIndices, IsDeterministicDistinctSortedAndInRange) {
  const std::vector<int64_t> a = pick_sample_indices(10000, 16, 42);
  EXPECT_EQ(a, pick_sample_indices(10000, 16, 42));
  EXPECT_NE(a, pick_sample_indices(10000, 16, 43));
  ASSERT_EQ(a.size(), 16u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_GE(a[i], 0);
    EXPECT_LT(a[i], 10000);
    if (i > 0) {
      EXPECT_LT(a[i - 1], a[i]);
    }
  }
  EXPECT_EQ(pick_sample_indices(5, 16, 1), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(pick_sample_indices(0, 16, 1).empty());
}

TEST(PickSampleIndices, MatchesTheIndependentPythonRendering) {
  // tests/fixtures/pick_sample_indices_reference.py 10000 16 2026 (and 60000 5 0).
  EXPECT_EQ(pick_sample_indices(10000, 16, 2026),
            (std::vector<int64_t>{366, 1266, 1916, 2893, 3473, 3545, 5176, 5295, 5799, 6628, 7589,
                                  7779, 8212, 8294, 8731, 9562}));
  EXPECT_EQ(pick_sample_indices(60000, 5, 0),
            (std::vector<int64_t>{9479, 34747, 36807, 43751, 50415}));
}

TEST(PickSampleIndices, PicksEveryIndexAboutEquallyOften) {
  // 20,000 seeds each picking 3 of 10: each index expects 6,000 picks (sd ~ 65).
  std::map<int64_t, int> picks;
  for (uint64_t seed = 0; seed < 20000; ++seed)
    for (int64_t i : pick_sample_indices(10, 3, seed)) ++picks[i];
  ASSERT_EQ(picks.size(), 10u);
  for (const auto& [index, count] : picks) EXPECT_NEAR(count, 6000, 300) << "index " << index;
}

TEST(NiceTicks, CoverTheRangeWithRoundSteps) {
  const std::vector<double> unit = nice_ticks(0, 1, 5);
  ASSERT_EQ(unit.size(), 6u);
  for (size_t i = 0; i < unit.size(); ++i) EXPECT_NEAR(unit[i], 0.2 * i, 1e-12);
  EXPECT_EQ(nice_ticks(3, 97, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(tick_label(0.4, 0.2), "0.4");
  EXPECT_EQ(tick_label(1000, 500), "1000");
}

TEST(PredictionGrid, MarksWrongPredictionsInRedAndDrawsImagesTheRightWayUp) {
  std::vector<GridSample> samples;
  samples.push_back({top_white_image(), "Coat", "Coat", 0.97});
  samples.push_back({top_white_image(), "Shirt", "T-shirt/top", 0.51});
  samples.push_back({top_white_image(), "Ankle boot", "Ankle boot", 0.999});
  samples.push_back({top_white_image(), "Pullover", "Coat", 0.64});
  const std::string path = temp_png("grid.png");
  const GridLayout layout = draw_prediction_grid(samples, {.rows = 2, .cols = 2}, path);
  const Image png = read_back(path, layout);
  ASSERT_EQ(layout.cells.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const Rect& cell = layout.cells[i];
    const Rect& img = layout.images[i];
    const Rect title{cell.x, cell.y, cell.width, img.y - cell.y - 4};
    const Rect picture{cell.x, img.y - 4, cell.width, cell.y + cell.height - (img.y - 4)};
    if (samples[i].correct()) {
      EXPECT_EQ(count_pixels(png, cell, is_red), 0) << "cell " << i;
    } else {
      EXPECT_GT(count_pixels(png, title, is_red), 50) << "cell " << i;      // red title
      EXPECT_GT(count_pixels(png, picture, is_red), 2000) << "cell " << i;  // 4 px frame
    }
    EXPECT_TRUE(near(pixel(png, img.x + img.width / 2, img.y + img.height / 4), kWhite));
    EXPECT_TRUE(near(pixel(png, img.x + img.width / 2, img.y + 3 * img.height / 4), kBlack));
    // The title has ink above the image.
    auto dark = [](Rgb p) { return p.r < 100 || p.g < 100; };
    EXPECT_GT(count_pixels(png, title, dark), 40);
  }
}

TEST(PredictionGrid, KeepsTheProportionsAndColoursOfAWideRgbImage) {
  Image wide;
  wide.width = 40;
  wide.height = 20;
  wide.channels = 3;
  wide.samples8.resize(wide.sample_count());
  for (size_t i = 0; i < wide.samples8.size(); i += 3) wide.samples8[i + 1] = 200;  // green
  const std::string path = temp_png("wide.png");
  const GridLayout layout =
      draw_prediction_grid({{wide, "Bag", "Bag", 0.9}}, {.rows = 1, .cols = 1}, path);
  const Image png = read_back(path, layout);
  ASSERT_EQ(layout.images.size(), 1u);
  const Rect& r = layout.images[0];
  EXPECT_DOUBLE_EQ(r.width, 2 * r.height);
  const Point c = r.center();
  EXPECT_TRUE(near(pixel(png, c.x, c.y), {0, 200 / 255.0, 0}));
  // Above the image, still inside its square: background, not stretched image.
  EXPECT_TRUE(near(pixel(png, c.x, r.y - r.height / 4), kWhite));
}

TEST(PredictionGrid, RefusesAnEmptyShape) {
  EXPECT_THROW(draw_prediction_grid({}, {.rows = 0, .cols = 4}, temp_png("bad.png")), Error);
}

TEST(ConfusionMatrix, DarkestCellHoldsTheLargestCountAndTextContrasts) {
  // The largest count sits off the diagonal, so the test cannot pass by shading the diagonal.
  ConfusionMatrixInput input{{"cat", "dog", "bird"}, {50, 3, 0, 7, 40, 1, 90, 2, 30}};
  const std::string path = temp_png("confusion.png");
  const ConfusionMatrixLayout layout = draw_confusion_matrix(input, path);
  const Image png = read_back(path, layout);
  ASSERT_EQ(layout.cells.size(), 9u);
  size_t darkest = 0;
  int darkest_level = 1000;
  for (size_t i = 0; i < 9; ++i) {
    const Rgb p = pixel(png, layout.cells[i].x + 3, layout.cells[i].y + 3);  // clear of the text
    EXPECT_TRUE(near(p, heat_color(input.counts[i], 90))) << "cell " << i;
    if (p.r + p.g + p.b < darkest_level) darkest_level = p.r + p.g + p.b, darkest = i;
  }
  EXPECT_EQ(darkest, 6u);
  // The count in the darkest cell is written in white, not black; in the lightest (0), in grey.
  auto white = [](Rgb p) { return p.r > 230 && p.g > 230 && p.b > 230; };
  auto blackish = [](Rgb p) { return p.b < 60; };  // the dark cell's own blue has b = 107
  auto dark = [](Rgb p) { return p.r < 160 && p.g < 160 && p.b < 170; };
  EXPECT_GT(count_pixels(png, layout.cells[6], white), 10);
  EXPECT_EQ(count_pixels(png, layout.cells[6], blackish), 0);
  EXPECT_GT(count_pixels(png, layout.cells[2], dark), 10);
}

TEST(ConfusionMatrix, TwoClassesStillFitALongTitle) {
  const std::string path = temp_png("confusion_small.png");
  const ConfusionMatrixLayout layout = draw_confusion_matrix(
      {{"a", "b"}, {5, 1, 0, 7}, "Confusion matrix of a model with a long name"}, path);
  read_back(path, layout);
}

TEST(ConfusionMatrix, RefusesCountsThatDoNotMatchTheClasses) {
  EXPECT_THROW(draw_confusion_matrix({{"a", "b"}, {1, 2, 3}}, temp_png("bad.png")), Error);
  EXPECT_THROW(draw_confusion_matrix({{"a"}, {-1}}, temp_png("bad.png")), Error);
}

TEST(Reliability, BarsReachTheBinsAccuracyAndCount) {
  ReliabilityInput input;
  input.bins = {{0.6, 0.7, 200, 0.30, 0.65}, {0.9, 1.0, 800, 0.95, 0.97}};
  input.expected_calibration_error = 0.086;
  const std::string path = temp_png("reliability.png");
  const ReliabilityLayout layout = draw_reliability_diagram(input, path);
  const Image png = read_back(path, layout);
  const Axes& top = layout.accuracy_axes;
  const Axes& hist = layout.histogram_axes;
  const double x = top.to_px_x(0.65);
  EXPECT_TRUE(near(pixel(png, x, top.to_px_y(0.15)), kBarBlue));   // inside the accuracy bar
  EXPECT_FALSE(near(pixel(png, x, top.to_px_y(0.45)), kBarBlue));  // above it: the gap
  EXPECT_FALSE(near(pixel(png, x, top.to_px_y(0.85)), kBarBlue));  // above the confidence
  // An empty bin draws no bar.
  EXPECT_FALSE(near(pixel(png, top.to_px_x(0.35), top.to_px_y(0.05)), kBarBlue));
  // Histogram: 200 of 800 reaches a quarter as high.
  EXPECT_TRUE(near(pixel(png, hist.to_px_x(0.65), hist.to_px_y(100)), kBarBlue));
  EXPECT_FALSE(near(pixel(png, hist.to_px_x(0.65), hist.to_px_y(400)), kBarBlue));
  EXPECT_TRUE(near(pixel(png, hist.to_px_x(0.95), hist.to_px_y(700)), kBarBlue));
}

TEST(Scatter, DotsLieWhereTheirValuesSay) {
  ScatterInput input{.actual = {1, 2, 3, 8}, .predicted = {1.5, 2, 7, 8.2}};
  const std::string path = temp_png("scatter.png");
  const ScatterLayout layout = draw_regression_scatter(input, path);
  const Image png = read_back(path, layout);
  const Axes& axes = layout.axes;
  EXPECT_LE(axes.x_low, 1);
  EXPECT_GE(axes.x_high, 8.2);
  EXPECT_EQ(axes.x_low, axes.y_low);
  EXPECT_EQ(axes.x_high, axes.y_high);
  for (size_t i = 0; i < input.actual.size(); ++i) {
    const Point p = axes.to_px(input.actual[i], input.predicted[i]);
    EXPECT_TRUE(near(pixel(png, p.x, p.y), kScatterDot)) << "point " << i;
  }
  // Nothing where no point is: (7, 3) mirrors the point (3, 7) across y = x.
  const Point empty = axes.to_px(7, 3);
  EXPECT_FALSE(near(pixel(png, empty.x, empty.y), kScatterDot));
  // The y = x line passes through (5, 5).
  const Point on_line = axes.to_px(5, 5);
  auto line_colour = [](Rgb p) { return near(p, kIdentityLine, 60); };
  EXPECT_GT(count_pixels(png, {on_line.x - 6, on_line.y - 6, 12, 12}, line_colour), 4);
}

TEST(Scatter, RefusesMismatchedOrNonFiniteValues) {
  EXPECT_THROW(draw_regression_scatter({.actual = {1, 2}, .predicted = {1}}, temp_png("b.png")),
               Error);
  EXPECT_THROW(draw_regression_scatter({.actual = {1}, .predicted = {NAN}}, temp_png("b.png")),
               Error);
}

}  // namespace
}  // namespace infera::report
