// The row loop of the channels-last convolution for few input channels (ConvNhwcRow in
// dispatch.h), written once over a lane type and instantiated per ISA by kernel_table.h. Each
// output pixel keeps its out_channels sums in vector registers; each input tap is one scalar
// broadcast times a vector of weights. A block of P neighbouring pixels shares every weight
// load and gives the FMA units P independent dependency chains.
//
// Every output is summed in one fixed order (bias, then kh, kw, c ascending) whichever block
// it falls in, so the results do not depend on the thread count, the batch or the blocking.
//
// Included after a `#pragma GCC target`: it uses nothing from the standard library, whose
// inline functions would otherwise be compiled for that target too.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

// P pixels from ow0 and NV vectors of channels from c0. kChecked blocks touch the left or
// right padding and skip the taps that fall outside the row.
template <class Vec, int NV, int P, bool kChecked>
inline void conv_nhwc_block(const ConvNhwcRow& a, int64_t ow0, int64_t c0) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth;
  const int64_t cin = a.in_channels, cout = a.out_channels;
  const int64_t pixel_step = a.stride * cin, tap_step = a.dilation * cin;
  V acc[P][NV];
  for (int v = 0; v < NV; ++v) {
    const V b = a.bias ? Vec::load(a.bias + c0 + v * W) : Vec::set1(0.f);
    for (int p = 0; p < P; ++p) acc[p][v] = b;
  }
  const int64_t iw0 = ow0 * a.stride - a.pad_left;  // input column of pixel 0, tap 0
  for (int64_t kh = 0; kh < a.kernel_h; ++kh) {
    if (!a.rows[kh]) continue;
    const float* w = a.weights + kh * a.kernel_w * cin * cout + c0;
    for (int64_t kw = 0; kw < a.kernel_w; ++kw) {
      // Offsets stay integers until a tap is known to be inside the row.
      const int64_t x_offset = iw0 * cin + kw * tap_step;
      for (int64_t c = 0; c < cin; ++c, w += cout) {
        V wv[NV];
        for (int v = 0; v < NV; ++v) wv[v] = Vec::load(w + v * W);
        for (int p = 0; p < P; ++p) {
          if constexpr (kChecked) {
            const int64_t iw = iw0 + p * a.stride + kw * a.dilation;
            if (iw < 0 || iw >= a.in_width) continue;
          }
          const V xv = Vec::set1(a.rows[kh][x_offset + p * pixel_step + c]);
          for (int v = 0; v < NV; ++v) acc[p][v] = Vec::fmadd(xv, wv[v], acc[p][v]);
        }
      }
    }
  }
  const V lo = Vec::set1(a.clip_min), hi = Vec::set1(a.clip_max);
  for (int p = 0; p < P; ++p) {
    const int64_t offset = (ow0 + p) * cout + c0;
    for (int v = 0; v < NV; ++v) {
      V r = acc[p][v];
      if (a.z) r = Vec::add(r, Vec::load(a.z + offset + v * W));
      // max(lo, NaN) and min(hi, NaN) return the NaN (second operand), as Relu keeps it.
      Vec::store(a.y + offset + v * W, Vec::min(hi, Vec::max(lo, r)));
    }
  }
}

// Pixels [begin, end) in blocks of P, then the rest in blocks of P/2, P/4, ..., 1. Pixels in
// [interior_begin, interior_end) have every tap inside the row.
template <class Vec, int NV, int P>
void conv_nhwc_pixels(const ConvNhwcRow& a, int64_t begin, int64_t end, int64_t interior_begin,
                      int64_t interior_end, int64_t c0) {
  int64_t ow = begin;
  for (; ow + P <= end; ow += P) {
    if (ow >= interior_begin && ow + P <= interior_end)
      conv_nhwc_block<Vec, NV, P, false>(a, ow, c0);
    else
      conv_nhwc_block<Vec, NV, P, true>(a, ow, c0);
  }
  if constexpr (P > 1)
    if (ow < end) conv_nhwc_pixels<Vec, NV, P / 2>(a, ow, end, interior_begin, interior_end, c0);
}

// NV vectors of channels from c0, over the whole row.
template <class Vec, int NV>
void conv_nhwc_channel_block(const ConvNhwcRow& a, int64_t c0) {
  // 12 accumulators keep enough FMAs in flight and leave registers for the weights on AVX2.
  constexpr int kPixels = 12 / NV;
  // Interior: iw0 >= 0 and iw0 + (kernel_w - 1) * dilation < in_width.
  const int64_t last_start = a.in_width - 1 - (a.kernel_w - 1) * a.dilation;  // largest iw0
  int64_t begin = (a.pad_left + a.stride - 1) / a.stride;
  int64_t end = last_start + a.pad_left < 0 ? 0 : (last_start + a.pad_left) / a.stride + 1;
  if (end > a.out_width) end = a.out_width;
  if (begin > end) begin = end;
  conv_nhwc_pixels<Vec, NV, kPixels>(a, 0, a.out_width, begin, end, c0);
}

template <class Vec>
void conv_nhwc_row(const ConvNhwcRow& a) {
  constexpr int W = Vec::kWidth;
  const int64_t vectors = a.out_channels / W;
  for (int64_t v0 = 0; v0 < vectors; v0 += 4) {
    const int64_t c0 = v0 * W;
    switch (vectors - v0) {
      case 1:
        conv_nhwc_channel_block<Vec, 1>(a, c0);
        break;
      case 2:
        conv_nhwc_channel_block<Vec, 2>(a, c0);
        break;
      case 3:
        conv_nhwc_channel_block<Vec, 3>(a, c0);
        break;
      default:
        conv_nhwc_channel_block<Vec, 4>(a, c0);
        break;
    }
  }
}

}  // namespace infera::simd
