// One output row of a channels-last 2-D max pool (MaxPoolNhwcRow in dispatch.h): for each
// output column, the maximum over the window's elements inside the map, each channel a lane.
// The window is visited as the reference kernel visits it (rows, then columns, ascending) and
// each element replaces the running maximum only when greater, `Vec::max(v, best)`, which
// returns its second operand when either is NaN: the reference's `v > best`, so the bits
// match it, NaN and signed zeros included. Included by kernel_table.h after the lane type.
//
// Why our own: oneDNN 2.6's jit pooling on NHWC took 50-220 us (median 87) for SqueezeNet's
// 3x3 stride-2 pool of 111x111x64 at 2 threads, 4% of the model; ORT's took 58.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

// One float as a lane, for channels past the last whole vector.
struct MaxPoolScalarLane {
  using V = float;
  static constexpr int kWidth = 1;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V max(V a, V b) { return a > b ? a : b; }
};

// kVecs lanes of channels from c, of one output column whose window columns inside the map are
// [k_lo, k_hi) (non-empty) from input column `first`: the running maxima stay in registers while
// the window's elements stream past.
template <class Lane, int kVecs>
inline void max_pool_channels(const MaxPoolNhwcRow& r, int64_t first, int64_t k_lo, int64_t k_hi,
                              int64_t c, float* out) {
  constexpr int W = Lane::kWidth;
  const int64_t column_step = r.dilation * r.channels;
  const float* row = r.x + first * r.channels + c;
  typename Lane::V best[kVecs];
  for (int v = 0; v < kVecs; ++v) best[v] = Lane::load(row + k_lo * column_step + v * W);
  for (int64_t i = 0; i < r.rows; ++i, row += r.x_row_step)
    for (int64_t k = i == 0 ? k_lo + 1 : k_lo; k < k_hi; ++k) {
      const float* element = row + k * column_step;
      for (int v = 0; v < kVecs; ++v) best[v] = Lane::max(Lane::load(element + v * W), best[v]);
    }
  for (int v = 0; v < kVecs; ++v) Lane::store(out + c + v * W, best[v]);
}

template <class Vec>
void max_pool_nhwc_row(const MaxPoolNhwcRow& r) {
  constexpr int64_t kBlock = 4 * Vec::kWidth;
  for (int64_t ox = 0; ox < r.out_width; ++ox) {
    // The window's columns inside the map, as ops/pool_window.h clips them.
    const int64_t first = ox * r.stride - r.pad_begin;
    const int64_t k_lo = first >= 0 ? 0 : (-first + r.dilation - 1) / r.dilation;
    const int64_t last = r.in_width - 1 - first;
    int64_t k_hi = last < 0 ? 0 : last / r.dilation + 1;
    if (k_hi > r.kernel_w) k_hi = r.kernel_w;
    float* out = r.y + ox * r.channels;
    if (k_lo >= k_hi || r.rows == 0) {  // all padding: the reference's 0
      for (int64_t c = 0; c < r.channels; ++c) out[c] = 0.0f;
      continue;
    }
    int64_t c = 0;
    for (; c + kBlock <= r.channels; c += kBlock)
      max_pool_channels<Vec, 4>(r, first, k_lo, k_hi, c, out);
    for (; c + Vec::kWidth <= r.channels; c += Vec::kWidth)
      max_pool_channels<Vec, 1>(r, first, k_lo, k_hi, c, out);
    for (; c < r.channels; ++c)
      max_pool_channels<MaxPoolScalarLane, 1>(r, first, k_lo, k_hi, c, out);
  }
}

}  // namespace infera::simd
