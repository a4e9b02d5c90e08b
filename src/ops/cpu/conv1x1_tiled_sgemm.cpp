#include "ops/cpu/conv1x1_tiled_sgemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>

namespace infera::onednn {

namespace {
// Tiles give each sgemm call at least 2^20 multiply-adds, so a call's fixed cost and packing stay
// small against its work (IC is small in MobileNet, pixels are 1 in squeeze-excitation convs):
// 64 output channels by as many pixels as that takes (steps of 128), and when the pixels run
// out, more channels (steps of 64). The layer's shape alone decides, never batch or threads.
constexpr int64_t kRowStep = 64;
constexpr int64_t kColumnStep = 128;
constexpr int64_t kMinTileMacs = int64_t{1} << 20;

int64_t steps_for(int64_t wanted, int64_t step, int64_t limit) {
  return std::min(std::max<int64_t>(1, (wanted + step - 1) / step) * step, limit);
}

struct Tile {
  int64_t rows, columns;
};

Tile tile_for(const PointwiseConvShape& s) {
  const int64_t k = std::max<int64_t>(1, s.in_channels);
  const int64_t rows = std::min(kRowStep, s.out_channels);
  const int64_t columns = steps_for(kMinTileMacs / (rows * k), kColumnStep, s.pixels);
  if (columns < s.pixels) return {rows, columns};
  return {steps_for(kMinTileMacs / (columns * k), kRowStep, s.out_channels), columns};
}
}  // namespace

void conv1x1_nchw_f32_tiled_sgemm(const PointwiseConvShape& s, const float* x, const float* w,
                                  const float* bias, bool accumulate, float* y, int threads) {
  if (s.batch == 0 || s.out_channels == 0 || s.pixels == 0) return;
  const Tile tile = tile_for(s);
  const int64_t row_tiles = (s.out_channels + tile.rows - 1) / tile.rows;
  const int64_t column_tiles = (s.pixels + tile.columns - 1) / tile.columns;
  const int64_t tiles_per_sample = row_tiles * column_tiles;
  const int64_t tiles = s.batch * tiles_per_sample;
  // Inside this parallel region oneDNN's sgemm runs on the calling thread alone, so it never
  // splits the reduction; which thread computes a tile does not change its bits.
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t n = t / tiles_per_sample;
    const int64_t row0 = (t % tiles_per_sample) / column_tiles * tile.rows;
    const int64_t col0 = t % column_tiles * tile.columns;
    const int64_t rows = std::min(tile.rows, s.out_channels - row0);
    const int64_t columns = std::min(tile.columns, s.pixels - col0);
    float* out = y + (n * s.out_channels + row0) * s.pixels + col0;
    dnnl_sgemm('N', 'N', rows, columns, s.in_channels, 1.f, w + row0 * s.in_channels, s.in_channels,
               x + n * s.in_channels * s.pixels + col0, s.pixels, accumulate ? 1.f : 0.f, out,
               s.pixels);
    if (!bias) continue;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < columns; ++c) out[r * s.pixels + c] += bias[row0 + r];
  }
}

}  // namespace infera::onednn
