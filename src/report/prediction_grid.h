// The prediction grid: rows x cols test images, each titled "actual / predicted (confidence)",
// wrong predictions in red (title and a red frame round the image).
//
//   std::vector<int64_t> picked = pick_sample_indices(10000, 16, /*seed=*/1);
//   std::vector<GridSample> samples = ...;          // one per picked index
//   draw_prediction_grid(samples, {.rows = 4, .cols = 4}, "prediction_grid.png");
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/image.h"
#include "report/canvas.h"

namespace infera::report {

// `count` distinct indices from [0, n), ascending, chosen uniformly at random by `seed`; the
// same (n, count, seed) gives the same indices on every platform (our own generator, not the
// standard library's distributions, whose results differ between implementations). Fewer than
// `count` only when n < count.
std::vector<int64_t> pick_sample_indices(int64_t n, int64_t count, uint64_t seed);

struct GridSample {
  Image image;  // 8-bit grey, grey+alpha, RGB or RGBA, top row first
  std::string actual;
  std::string predicted;
  double confidence = 0;  // of the predicted class, in [0, 1]
  bool correct() const { return actual == predicted; }
};

struct GridOptions {
  int rows = 4;
  int cols = 4;
  int image_size = 160;  // pixels per image side, before the title; nearest-neighbour scaled
  std::string title = "actual / predicted (confidence)";
};

// Where each sample landed, row by row: what tests and callers can check pixels against.
struct GridLayout {
  int width = 0, height = 0;
  std::vector<Rect> cells;   // the whole cell: title and image
  std::vector<Rect> images;  // the image inside it
};

// The first rows*cols samples (fewer leave empty cells). Throws Error(kInvalidArgument) when
// rows or cols is not positive or a sample's image cannot be drawn, Error(kIo) when the file
// cannot be written.
GridLayout draw_prediction_grid(const std::vector<GridSample>& samples, const GridOptions& options,
                                const std::string& png_path);

}  // namespace infera::report
