// The input and output transforms of a channels-last Winograd F(2x2, 3x3) convolution (the
// conv kernel's own Winograd path, conv_onednn.cpp; the products between them are the pointwise
// kernel's, pointwise_conv_nhwc.h). Each 2x2 tile of output pixels needs the 4x4 input patch
// around it; in the transformed domain the 3x3 conv becomes 16 independent channel products
// (one per patch position), 16 multiplies per 2x2 outputs per channel pair where the direct
// conv does 36:
//   V = B^T d B            (input patch d -> 16 positions, per input channel)
//   M[pos] = V[pos] x U[pos]  (per position: a [tiles x in] by [in x out] product)
//   y = A^T M A            (16 positions -> 2x2 outputs, per output channel)
// with B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] and A^T = [1 1 1 0; 0 1 -1 -1]
// (interpolation at 0, 1, -1 and infinity; U = G g G^T is made once, winograd_weights.h).
// Every value goes through a fixed sequence of adds per tile, so the bits of a tile's outputs
// depend only on its inputs: not on the batch, the thread, or the chunk of tiles it came with.
// Included by kernel_table.h after the lane type.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

namespace winograd_detail {

// Where tile `tile` (over [images][tiles_down][tiles_across]) starts: its image and the top-left
// output pixel of its 2x2.
struct TileOrigin {
  int64_t image, out_y, out_x;
};
inline TileOrigin tile_origin(const WinogradTiles& g, int64_t tile) {
  const int64_t per_image = g.tiles_down * g.tiles_across;
  const int64_t in_image = tile % per_image;
  return {tile / per_image, in_image / g.tiles_across * 2, in_image % g.tiles_across * 2};
}

}  // namespace winograd_detail

// v[pos * pos_stride + (t - tile_begin) * in_channels + c] = (B^T d B)[pos] for tiles t in
// [tile_begin, tile_end) and every input channel c. Inputs outside the map (padding) are zeros.
template <class Vec>
void winograd_f2x3_input(const WinogradTiles& g, const float* x, int64_t tile_begin,
                         int64_t tile_end, float* v, int64_t pos_stride) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth;
  const int64_t channels = g.in_channels;
  const V zero = Vec::set1(0.0f);
  for (int64_t tile = tile_begin; tile < tile_end; ++tile) {
    const winograd_detail::TileOrigin o = winograd_detail::tile_origin(g, tile);
    const float* patch[4][4];  // null: outside the map
    for (int i = 0; i < 4; ++i) {
      const int64_t row = o.out_y - g.pad_top + i;
      for (int j = 0; j < 4; ++j) {
        const int64_t col = o.out_x - g.pad_left + j;
        const bool inside = row >= 0 && row < g.in_height && col >= 0 && col < g.in_width;
        patch[i][j] =
            inside ? x + ((o.image * g.in_height + row) * g.in_width + col) * channels : nullptr;
      }
    }
    float* out = v + (tile - tile_begin) * channels;
    for (int64_t c = 0; c < channels; c += W) {
      V d[4][4];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) d[i][j] = patch[i][j] ? Vec::load(patch[i][j] + c) : zero;
      V t[4][4];  // B^T d: combines rows
      for (int j = 0; j < 4; ++j) {
        t[0][j] = Vec::sub(d[0][j], d[2][j]);
        t[1][j] = Vec::add(d[1][j], d[2][j]);
        t[2][j] = Vec::sub(d[2][j], d[1][j]);
        t[3][j] = Vec::sub(d[1][j], d[3][j]);
      }
      for (int i = 0; i < 4; ++i) {  // (B^T d) B: combines columns
        float* row = out + (i * 4) * pos_stride + c;
        Vec::store(row, Vec::sub(t[i][0], t[i][2]));
        Vec::store(row + pos_stride, Vec::add(t[i][1], t[i][2]));
        Vec::store(row + 2 * pos_stride, Vec::sub(t[i][2], t[i][1]));
        Vec::store(row + 3 * pos_stride, Vec::sub(t[i][1], t[i][3]));
      }
    }
  }
}

// For tiles t in [tile_begin, tile_end) and output channels [channel_begin, channel_begin +
// channels): y = relu?(A^T m A + bias + z) at the tile's 2x2 output pixels inside the map, from
// m[pos * pos_stride + (t - tile_begin) * channels + c]. bias [out_channels] and z (laid out as
// y) may be null; z may be y.
template <class Vec>
void winograd_f2x3_output(const WinogradTiles& g, const float* m, int64_t pos_stride,
                          int64_t tile_begin, int64_t tile_end, int64_t channel_begin,
                          int64_t channels, const float* bias, const float* z, float* y,
                          bool relu) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth;
  const V zero = Vec::set1(0.0f);
  for (int64_t tile = tile_begin; tile < tile_end; ++tile) {
    const winograd_detail::TileOrigin o = winograd_detail::tile_origin(g, tile);
    const bool has_row[2] = {true, o.out_y + 1 < g.out_height};
    const bool has_col[2] = {true, o.out_x + 1 < g.out_width};
    int64_t offset[2][2];  // of each output pixel's channel_begin in y
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j)
        offset[i][j] =
            ((o.image * g.out_height + o.out_y + i) * g.out_width + o.out_x + j) *
                g.out_channels + channel_begin;
    const float* in = m + (tile - tile_begin) * channels;
    for (int64_t c = 0; c < channels; c += W) {
      V s[2][4];  // A^T m: combines rows
      for (int j = 0; j < 4; ++j) {
        const V m0 = Vec::load(in + j * pos_stride + c);
        const V m1 = Vec::load(in + (4 + j) * pos_stride + c);
        const V m2 = Vec::load(in + (8 + j) * pos_stride + c);
        const V m3 = Vec::load(in + (12 + j) * pos_stride + c);
        s[0][j] = Vec::add(Vec::add(m0, m1), m2);
        s[1][j] = Vec::sub(Vec::sub(m1, m2), m3);
      }
      const V b = bias ? Vec::load(bias + channel_begin + c) : zero;
      for (int i = 0; i < 2; ++i) {
        if (!has_row[i]) continue;
        // (A^T m) A: combines columns
        const V out[2] = {Vec::add(Vec::add(s[i][0], s[i][1]), s[i][2]),
                          Vec::sub(Vec::sub(s[i][1], s[i][2]), s[i][3])};
        for (int j = 0; j < 2; ++j) {
          if (!has_col[j]) continue;
          V value = Vec::add(out[j], b);
          if (z) value = Vec::add(value, Vec::load(z + offset[i][j] + c));
          if (relu) value = Vec::max(value, zero);
          Vec::store(y + offset[i][j] + c, value);
        }
      }
    }
  }
}

}  // namespace infera::simd
