// The input and output transforms of a channels-last Winograd convolution, F(2x2, 3x3) or
// F(4x4, 3x3) (the conv kernel's own Winograd path, conv_onednn.cpp; the products between
// them are the pointwise kernel's, pointwise_conv_nhwc.h). Each t x t tile of output pixels
// (t = 2 or 4) needs the a x a input patch around it (a = t + 2); in the transformed domain the
// 3x3 conv becomes a * a independent channel products, one per patch position: a^2 multiplies
// per t^2 outputs per channel pair where the direct conv does 9 t^2 (2.25x fewer for F(2x2),
// 4x for F(4x4)).
//   V = B^T d B               (input patch d -> a * a positions, per input channel)
//   M[pos] = V[pos] x U[pos]  (per position: a [tiles x in] by [in x out] product)
//   y = A^T M A               (a * a positions -> t x t outputs, per output channel)
// F(2x2) interpolates at 0, 1, -1 and infinity; F(4x4) at 0, 1, -1, 2, -2 and infinity (the
// matrices below; U = G g G^T is made once, winograd_weights.h). Every value goes through a
// fixed sequence of operations per tile, so the bits of a tile's outputs depend only on its
// inputs: not on the batch, the thread, or the chunk of tiles it came with.
// Included by kernel_table.h after the lane type.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

namespace winograd_detail {

// Where tile `tile` (over [images][tiles_down][tiles_across]) starts: its image and its
// top-left output pixel.
struct TileOrigin {
  int64_t image, out_y, out_x;
};
inline TileOrigin tile_origin(const WinogradTiles& g, int64_t tile) {
  const int64_t per_image = g.tiles_down * g.tiles_across;
  const int64_t in_image = tile % per_image;
  return {tile / per_image, in_image / g.tiles_across * g.tile, in_image % g.tiles_across * g.tile};
}

// t = B^T d along one axis: d[k * step] for k < a, into t[k * step].
template <class Vec, int kTile>
inline void input_1d(const typename Vec::V* d, typename Vec::V* t, int step) {
  using V = typename Vec::V;
  if constexpr (kTile == 2) {  // B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    const V d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step];
    t[0] = Vec::sub(d0, d2);
    t[step] = Vec::add(d1, d2);
    t[2 * step] = Vec::sub(d2, d1);
    t[3 * step] = Vec::sub(d1, d3);
  } else {  // B^T's rows: [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0], [0 -2 -1 2 1 0],
            // [0 2 -1 -2 1 0], [0 4 0 -5 0 1]
    const V d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step],
            d5 = d[5 * step];
    const V four = Vec::set1(4.0f), minus_four = Vec::set1(-4.0f), minus_five = Vec::set1(-5.0f);
    const V d4_minus_4d2 = Vec::fmadd(minus_four, d2, d4);
    const V d3_minus_4d1 = Vec::fmadd(minus_four, d1, d3);
    const V d4_minus_d2 = Vec::sub(d4, d2);
    const V twice_d3_minus_d1 = Vec::mul(Vec::set1(2.0f), Vec::sub(d3, d1));
    t[0] = Vec::add(Vec::fmadd(minus_five, d2, Vec::mul(four, d0)), d4);
    t[step] = Vec::add(d4_minus_4d2, d3_minus_4d1);
    t[2 * step] = Vec::sub(d4_minus_4d2, d3_minus_4d1);
    t[3 * step] = Vec::add(d4_minus_d2, twice_d3_minus_d1);
    t[4 * step] = Vec::sub(d4_minus_d2, twice_d3_minus_d1);
    t[5 * step] = Vec::add(Vec::fmadd(minus_five, d3, Vec::mul(four, d1)), d5);
  }
}

// y = A^T m along one axis: m[k * step] for k < a, into y[k] for k < t.
template <class Vec, int kTile>
inline void output_1d(const typename Vec::V* m, typename Vec::V* y, int step) {
  using V = typename Vec::V;
  if constexpr (kTile == 2) {  // A^T = [1 1 1 0; 0 1 -1 -1]
    const V m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step];
    y[0] = Vec::add(Vec::add(m0, m1), m2);
    y[1] = Vec::sub(Vec::sub(m1, m2), m3);
  } else {  // A^T's rows: [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1]
    const V m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step], m4 = m[4 * step],
            m5 = m[5 * step];
    const V sum12 = Vec::add(m1, m2), diff12 = Vec::sub(m1, m2);
    const V sum34 = Vec::add(m3, m4), diff34 = Vec::sub(m3, m4);
    y[0] = Vec::add(Vec::add(m0, sum12), sum34);
    y[1] = Vec::fmadd(Vec::set1(2.0f), diff34, diff12);
    y[2] = Vec::fmadd(Vec::set1(4.0f), sum34, sum12);
    y[3] = Vec::add(Vec::fmadd(Vec::set1(8.0f), diff34, diff12), m5);
  }
}

}  // namespace winograd_detail

// v[pos * pos_stride + (t - tile_begin) * in_channels + c] = (B^T d B)[pos] for tiles t in
// [tile_begin, tile_end) and every input channel c, positions pos < a * a row by row. Inputs
// outside the map (padding) are zeros. g.tile must be kTile.
template <class Vec, int kTile>
void winograd_input(const WinogradTiles& g, const float* x, int64_t tile_begin, int64_t tile_end,
                    float* v, int64_t pos_stride) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth, kAlpha = kTile + 2;
  const int64_t channels = g.in_channels;
  const V zero = Vec::set1(0.0f);
  for (int64_t tile = tile_begin; tile < tile_end; ++tile) {
    const winograd_detail::TileOrigin o = winograd_detail::tile_origin(g, tile);
    const float* patch[kAlpha][kAlpha];  // null: outside the map
    for (int i = 0; i < kAlpha; ++i) {
      const int64_t row = o.out_y - g.pad_top + i;
      for (int j = 0; j < kAlpha; ++j) {
        const int64_t col = o.out_x - g.pad_left + j;
        const bool inside = row >= 0 && row < g.in_height && col >= 0 && col < g.in_width;
        patch[i][j] =
            inside ? x + ((o.image * g.in_height + row) * g.in_width + col) * channels : nullptr;
      }
    }
    float* out = v + (tile - tile_begin) * channels;
    for (int64_t c = 0; c < channels; c += W) {
      V d[kAlpha][kAlpha], t[kAlpha][kAlpha];
      for (int i = 0; i < kAlpha; ++i)
        for (int j = 0; j < kAlpha; ++j) d[i][j] = patch[i][j] ? Vec::load(patch[i][j] + c) : zero;
      for (int j = 0; j < kAlpha; ++j)  // B^T d: down each column
        winograd_detail::input_1d<Vec, kTile>(&d[0][j], &t[0][j], kAlpha);
      for (int i = 0; i < kAlpha; ++i) {  // (B^T d) B: along each row
        V row[kAlpha];
        winograd_detail::input_1d<Vec, kTile>(t[i], row, 1);
        for (int j = 0; j < kAlpha; ++j) Vec::store(out + (i * kAlpha + j) * pos_stride + c, row[j]);
      }
    }
  }
}

// For tiles t in [tile_begin, tile_end) and output channels [channel_begin, channel_begin +
// channels): y = relu?(A^T m A + bias + z) at the tile's output pixels inside the map, from
// m[pos * pos_stride + (t - tile_begin) * channels + c]. bias [out_channels] and z (laid out as
// y) may be null; z may be y. g.tile must be kTile.
template <class Vec, int kTile>
void winograd_output(const WinogradTiles& g, const float* m, int64_t pos_stride,
                     int64_t tile_begin, int64_t tile_end, int64_t channel_begin,
                     int64_t channels, const float* bias, const float* z, float* y, bool relu) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth, kAlpha = kTile + 2;
  const V zero = Vec::set1(0.0f);
  for (int64_t tile = tile_begin; tile < tile_end; ++tile) {
    const winograd_detail::TileOrigin o = winograd_detail::tile_origin(g, tile);
    const int rows = static_cast<int>(g.out_height - o.out_y < kTile ? g.out_height - o.out_y
                                                                      : kTile);
    const int cols = static_cast<int>(g.out_width - o.out_x < kTile ? g.out_width - o.out_x
                                                                     : kTile);
    const int64_t first = ((o.image * g.out_height + o.out_y) * g.out_width + o.out_x) *
                              g.out_channels + channel_begin;
    const float* in = m + (tile - tile_begin) * channels;
    for (int64_t c = 0; c < channels; c += W) {
      V mv[kAlpha][kAlpha], s[kTile][kAlpha];
      for (int i = 0; i < kAlpha; ++i)
        for (int j = 0; j < kAlpha; ++j) mv[i][j] = Vec::load(in + (i * kAlpha + j) * pos_stride + c);
      for (int j = 0; j < kAlpha; ++j) {  // A^T m: down each column
        V column[kTile];
        winograd_detail::output_1d<Vec, kTile>(&mv[0][j], column, kAlpha);
        for (int i = 0; i < kTile; ++i) s[i][j] = column[i];
      }
      const V b = bias ? Vec::load(bias + channel_begin + c) : zero;
      for (int i = 0; i < rows; ++i) {
        V out[kTile];  // (A^T m) A: along each row
        winograd_detail::output_1d<Vec, kTile>(s[i], out, 1);
        for (int j = 0; j < cols; ++j) {
          const int64_t at = first + (i * g.out_width + j) * g.out_channels + c;
          V value = Vec::add(out[j], b);
          if (z) value = Vec::add(value, Vec::load(z + at));
          if (relu) value = Vec::max(value, zero);
          Vec::store(y + at, value);
        }
      }
    }
  }
}

}  // namespace infera::simd
