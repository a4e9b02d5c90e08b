// The reference direct convolution behind Conv, ConvInteger and QLinearConv.
//
// For each output row (image n, output channel m, fixed depth and height) it sums over the
// input channels of m's group and the kernel window into a tile on the stack, the innermost
// loop running along the output row so that with stride 1 it streams through contiguous input.
// Padding is skipped by clipping the row range rather than testing every element.
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/accum.h"
#include "ops/conv_geometry.h"

namespace infera {

struct ConvDims {
  int64_t batch = 0;
  int64_t in_channels = 0;   // C
  int64_t out_channels = 0;  // M
  int64_t groups = 1;
};

// load_x(v) and load_w(v, m) turn stored elements into Acc (the integer forms subtract zero
// points there, so padding, which adds nothing, behaves as the zero point).
// emit(y_offset, acc, count, m) stores one finished tile of `count` outputs.
// 1x1 kernel, stride 1, no padding: each output plane is a weighted sum of whole input planes,
// so the plane is one long row (deep layers have rows of only 7 or 14 elements).
inline bool conv_is_pointwise(const SpatialGeometry& g) {
  for (int d = 0; d < kMaxSpatialRank; ++d) {
    if (g.kernel[d] != 1 || g.stride[d] != 1 || g.pad_begin[d] != 0 || g.in[d] != g.out[d])
      return false;
  }
  return true;
}

template <typename Acc, typename TX, typename TW, typename LoadX, typename LoadW, typename Emit>
void conv_pointwise(const SpatialGeometry& g, const ConvDims& dims, const TX* x, const TW* w,
                    LoadX load_x, LoadW load_w, Emit emit) {
  const int64_t cg = dims.in_channels / dims.groups;
  const int64_t mg = dims.out_channels / dims.groups;
  const int64_t plane = g.out_size();
  Acc acc[kAccumTile];
  for (int64_t n = 0; n < dims.batch; ++n) {
    for (int64_t m = 0; m < dims.out_channels; ++m) {
      const TX* xg = x + (n * dims.in_channels + (m / mg) * cg) * plane;
      for (int64_t p0 = 0; p0 < plane; p0 += kAccumTile) {
        const int64_t count = std::min(kAccumTile, plane - p0);
        std::fill(acc, acc + count, Acc(0));
        for (int64_t c = 0; c < cg; ++c) {
          const Acc wv = load_w(w[m * cg + c], m);
          const TX* xc = xg + c * plane + p0;
          for (int64_t i = 0; i < count; ++i) acc[i] += wv * load_x(xc[i]);
        }
        emit((n * dims.out_channels + m) * plane + p0, acc, count, m);
      }
    }
  }
}

template <typename Acc, typename TX, typename TW, typename LoadX, typename LoadW, typename Emit>
void conv_direct(const SpatialGeometry& g, const ConvDims& dims, const TX* x, const TW* w,
                 LoadX load_x, LoadW load_w, Emit emit) {
  if (conv_is_pointwise(g)) return conv_pointwise<Acc>(g, dims, x, w, load_x, load_w, emit);
  const int64_t cg = dims.in_channels / dims.groups;
  const int64_t mg = dims.out_channels / dims.groups;
  const int64_t in_plane = g.in_size();
  const int64_t out_plane = g.out_size();
  const int64_t ksize = g.kernel_size();
  const int64_t OD = g.out[0], OH = g.out[1], OW = g.out[2];
  const int64_t IH = g.in[1], IW = g.in[2];
  Acc acc[kAccumTile];
  for (int64_t n = 0; n < dims.batch; ++n) {
    for (int64_t m = 0; m < dims.out_channels; ++m) {
      const TX* xg = x + (n * dims.in_channels + (m / mg) * cg) * in_plane;
      const TW* wm = w + m * cg * ksize;
      int64_t y_off = (n * dims.out_channels + m) * out_plane;
      for (int64_t od = 0; od < OD; ++od) {
        for (int64_t oh = 0; oh < OH; ++oh) {
          for (int64_t ow0 = 0; ow0 < OW; ow0 += kAccumTile) {
            const int64_t count = std::min(kAccumTile, OW - ow0);
            std::fill(acc, acc + count, Acc(0));
            for (int64_t c = 0; c < cg; ++c) {
              const TX* xc = xg + c * in_plane;
              const TW* wc = wm + c * ksize;
              for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                const int64_t id = od * g.stride[0] - g.pad_begin[0] + kd * g.dilation[0];
                if (id < 0 || id >= g.in[0]) continue;
                for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                  const int64_t ih = oh * g.stride[1] - g.pad_begin[1] + kh * g.dilation[1];
                  if (ih < 0 || ih >= IH) continue;
                  const TX* xrow = xc + (id * IH + ih) * IW;
                  const TW* wrow = wc + (kd * g.kernel[1] + kh) * g.kernel[2];
                  for (int64_t kw = 0; kw < g.kernel[2]; ++kw) {
                    const Acc wv = load_w(wrow[kw], m);
                    const int64_t offset = kw * g.dilation[2] - g.pad_begin[2];
                    const int64_t s = g.stride[2];
                    int64_t lo, hi;
                    const int64_t base = offset + ow0 * s;
                    valid_output_range(base, s, IW, count, lo, hi);
                    for (int64_t o = lo; o < hi; ++o) acc[o] += wv * load_x(xrow[base + o * s]);
                  }
                }
              }
            }
            emit(y_off + ow0, acc, count, m);
          }
          y_off += OW;
        }
      }
    }
  }
}

}  // namespace infera
