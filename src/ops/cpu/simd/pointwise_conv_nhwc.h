// A channels-last pointwise (1x1) convolution with its bias, residual and Relu in the epilogue:
//   y[p][m] = relu?(bias[m] + sum over c of x[p][c] * w[c][m] + z[p][m])
// for every pixel p, where x[p] is the input row PointwiseSource places (the pixel's own, or
// every stride-th row and column for a strided conv: ResNet's downsamples), the sum over c in
// increasing order, one chain per output element, so an element's bits depend on nothing but
// its inputs: not the batch, the pixel range a thread gets, nor where a pixel falls in a tile.
// Included by kernel_table.h after the lane type; the weights are packed by the conv kernel
// (conv_onednn.cpp, make_own_pointwise).
//
// Why our own: oneDNN 2.6's NHWC kernels (brgconv_1x1, jit_1x1) add the residual slowly, e.g.
// ResNet-50's 64 -> 256 channel expand at 56x56, batch 32 on 2 threads: 19 ms with the sum
// post-op against 11 without, the blocked nChw16c kernel 13.6 (docs/DECISIONS.md). Here a
// tile of 6 pixels x 4 vectors of output channels accumulates in registers over all input
// channels, the weights packed per block of 4 vectors ([block][in_channels][4 vectors]), and
// the tile's residual rows, prefetched while the tile before computes, are added on the way
// out: each output row is written once and Z is read once, in cache.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

template <class Vec>
struct PointwiseTile {
  static constexpr int kRows = 6;
  static constexpr int kVecs = 4;
  static constexpr int kBlock = kVecs * Vec::kWidth;  // output channels per packed block
};

// Rows [0, rows) of one tile (rows <= kRows): the same arithmetic for every row count. The
// loops over rows and vectors are unrolled by pragma: left to itself GCC 12 kept acc on the
// stack around the channel loop, 48 spills and reloads per tile, which with Winograd's short
// sums (32-64 channels) cost SqueezeNet 1.1 6% (0.936 after, 8 of 8 alternating pairs faster;
// ResNet-50 0.972, 7 of 8).
template <class Vec, int kRowsHere>
inline void pointwise_tile(const float* const* x_rows, int64_t in_channels,
                           const float* w_block, const float* bias, const float* z, float* y,
                           int64_t y_stride, bool relu) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth, kVecs = PointwiseTile<Vec>::kVecs;
  V acc[kRowsHere][kVecs];
#pragma GCC unroll 4
  for (int v = 0; v < kVecs; ++v) {
    const V b = bias ? Vec::load(bias + v * W) : Vec::set1(0.0f);
#pragma GCC unroll 6
    for (int r = 0; r < kRowsHere; ++r) acc[r][v] = b;
  }
  for (int64_t c = 0; c < in_channels; ++c) {
    const float* wc = w_block + c * kVecs * W;
    V wv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) wv[v] = Vec::load(wc + v * W);
#pragma GCC unroll 6
    for (int r = 0; r < kRowsHere; ++r) {
      const V xr = Vec::set1(x_rows[r][c]);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[r][v] = Vec::fmadd(xr, wv[v], acc[r][v]);
    }
  }
  const V zero = Vec::set1(0.0f);
#pragma GCC unroll 6
  for (int r = 0; r < kRowsHere; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) {
      V out = acc[r][v];
      if (z) out = Vec::add(out, Vec::load(z + r * y_stride + v * W));
      if (relu) out = Vec::max(out, zero);
      Vec::store(y + r * y_stride + v * W, out);
    }
}

template <class Vec, int kRowsHere = PointwiseTile<Vec>::kRows>
inline void pointwise_tail(int rows, const float* const* x_rows, int64_t in_channels,
                           const float* w_block, const float* bias, const float* z, float* y,
                           int64_t y_stride, bool relu) {
  if constexpr (kRowsHere > 0) {
    if (rows == kRowsHere)
      return pointwise_tile<Vec, kRowsHere>(x_rows, in_channels, w_block, bias, z, y, y_stride,
                                            relu);
    pointwise_tail<Vec, kRowsHere - 1>(rows, x_rows, in_channels, w_block, bias, z, y, y_stride,
                                       relu);
  }
}

// Output channels [0, channels) of pixels [pixel_begin, pixel_end), rows `row_stride` floats
// apart: packed_w [channels / kBlock][in_channels][kBlock]; bias [channels] or null; z
// [pixels][row_stride] or null, and may be y itself (each element is read before it is
// written). z and y point at pixel 0. A thread may take any range of pixels or of whole blocks
// of channels.
template <class Vec>
void pointwise_conv_nhwc(const PointwiseSource& x, int64_t pixel_begin, int64_t pixel_end,
                         const float* packed_w, const float* bias, const float* z, float* y,
                         int64_t row_stride, int64_t channels, bool relu) {
  constexpr int kRows = PointwiseTile<Vec>::kRows, kBlock = PointwiseTile<Vec>::kBlock;
  const int64_t in_channels = x.in_channels;
  // Blocks of pixels whose inputs stay in L2 while all the weights pass over them once: as
  // few and as even as whole tiles allow, since each block streams every weight again. Fixed
  // blocks of 96 pixels left ResNet-50's 14x14 convs (98 pixels a thread) a second pass over
  // all their weights for 2 pixels: that group 2.28 ms per run against 2.35 (2 profiles each);
  // the model 0.992 at 1 thread (6 of 6 pairs faster), within noise at 2.
  constexpr int64_t kInputBytes = 256 << 10;
  const int64_t most = kInputBytes / (in_channels * int64_t{sizeof(float)}) / kRows * kRows;
  const int64_t largest = most > 16 * kRows ? most : 16 * kRows;
  const int64_t range = pixel_end - pixel_begin;
  const int64_t blocks = (range + largest - 1) / largest;
  const int64_t even = blocks > 0 ? (range + blocks - 1) / blocks : range;
  const int64_t pixel_block = (even + kRows - 1) / kRows * kRows;
  for (int64_t p0 = pixel_begin; p0 < pixel_end; p0 += pixel_block) {
    const int64_t p1 = p0 + pixel_block < pixel_end ? p0 + pixel_block : pixel_end;
    for (int64_t m = 0; m < channels; m += kBlock) {
      const float* w_block = packed_w + m * in_channels;
      const float* b = bias ? bias + m : nullptr;
      for (int64_t p = p0; p < p1; p += kRows) {
        const int rows = static_cast<int>(p1 - p < kRows ? p1 - p : kRows);
        const float* x_rows[kRows];
        for (int r = 0; r < rows; ++r) x_rows[r] = x.row(p + r);
        const float* zp = z ? z + p * row_stride + m : nullptr;
        if (zp && p + kRows < p1)  // the next tile's residual, while this one computes
          for (int r = 0; r < kRows; ++r)
            for (int v = 0; v < kBlock; v += 16)
              __builtin_prefetch(zp + (kRows + r) * row_stride + v);
        float* yp = y + p * row_stride + m;
        if (rows == kRows)
          pointwise_tile<Vec, kRows>(x_rows, in_channels, w_block, b, zp, yp, row_stride, relu);
        else
          pointwise_tail<Vec>(rows, x_rows, in_channels, w_block, b, zp, yp, row_stride, relu);
      }
    }
  }
}

}  // namespace infera::simd
