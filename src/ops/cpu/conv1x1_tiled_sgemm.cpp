#include "ops/cpu/conv1x1_tiled_sgemm.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>

namespace infera::onednn {

namespace {
// Tiles of 64 output channels; as many pixels as give each sgemm call at least 2^20
// multiply-adds (a call's fixed cost and packing stay small against its work, which matters when
// IC is small, as in MobileNet), in steps of 128. Shape alone decides, never batch or threads.
constexpr int64_t kTileRows = 64;
constexpr int64_t kColumnStep = 128;
constexpr int64_t kMinTileMacs = int64_t{1} << 20;

int64_t tile_columns(const PointwiseConvShape& s) {
  const int64_t rows = std::min(kTileRows, s.out_channels);
  const int64_t wanted = kMinTileMacs / std::max<int64_t>(1, rows * s.in_channels);
  const int64_t columns =
      std::max<int64_t>(1, (wanted + kColumnStep - 1) / kColumnStep) * kColumnStep;
  return std::min(columns, s.pixels);
}
}  // namespace

void conv1x1_nchw_f32_tiled_sgemm(const PointwiseConvShape& s, const float* x, const float* w,
                                  const float* bias, bool accumulate, float* y, int threads) {
  const int64_t row_tiles = (s.out_channels + kTileRows - 1) / kTileRows;
  const int64_t tile_width = tile_columns(s);
  const int64_t column_tiles = (s.pixels + tile_width - 1) / tile_width;
  const int64_t tiles_per_sample = row_tiles * column_tiles;
  const int64_t tiles = s.batch * tiles_per_sample;
  // Inside this parallel region oneDNN's sgemm runs on the calling thread alone, so it never
  // splits the reduction; which thread computes a tile does not change its bits.
#pragma omp parallel for num_threads(std::max(1, threads)) schedule(static)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t n = t / tiles_per_sample;
    const int64_t row0 = (t % tiles_per_sample) / column_tiles * kTileRows;
    const int64_t col0 = t % column_tiles * tile_width;
    const int64_t rows = std::min(kTileRows, s.out_channels - row0);
    const int64_t columns = std::min(tile_width, s.pixels - col0);
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
