// The row loop of the channels-last convolution for few input channels (ConvNhwcRow in
// dispatch.h), written once over a lane type and instantiated per ISA by kernel_table.h. Each
// output pixel keeps its out_channels sums in vector registers; each input tap is one scalar
// broadcast times a vector of weights. A block of P neighbouring pixels shares every weight
// load and gives the FMA units P independent dependency chains. The input is zero-padded
// beforehand, so no pixel needs a bounds check.
//
// Every output is summed in one fixed order (bias, then kh, kw, c ascending) whichever block
// it falls in, so the results do not depend on the thread count, the batch or the blocking.
//
// Included after a `#pragma GCC target`: it uses nothing from the standard library, whose
// inline functions would otherwise be compiled for that target too.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/conv_nhwc_pool_pair.h"
#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

// P pixels from ow0 and NV vectors of channels from c0. pool_pass: 0 no pool; 1 or 2 for the
// first or second conv row of a pool pair: pass 1 stores the max of each column pair, pass 2
// the max of that and its own.
template <class Vec, int NV, int P>
inline void conv_nhwc_block(const ConvNhwcRow& a, int64_t ow0, int64_t c0, int pool_pass) {
  using V = typename Vec::V;
  constexpr int W = Vec::kWidth;
  const int64_t cin = a.in_channels, cout = a.out_channels;
  const int64_t pixel_step = a.stride * cin;
  // With dilation 1 a kernel row's taps (kw, c) are contiguous: one loop of kernel_w * cin.
  const bool dense = a.dilation == 1;
  const int64_t groups = dense ? 1 : a.kernel_w, taps = dense ? a.kernel_w * cin : cin;
  const int64_t group_step = a.dilation * cin;
  V acc[P][NV];  // the register loops are unrolled by pragma, as in pointwise_conv_nhwc.h
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const V b = a.bias ? Vec::load(a.bias + c0 + v * W) : Vec::set1(0.f);
#pragma GCC unroll 12
    for (int p = 0; p < P; ++p) acc[p][v] = b;
  }
  const float* w = a.weights + c0;
  for (int64_t kh = 0; kh < a.kernel_h; ++kh) {
    const float* row = a.x + kh * a.x_row_stride + ow0 * pixel_step;
    for (int64_t g = 0; g < groups; ++g) {
      const float* x = row + g * group_step;
      for (int64_t t = 0; t < taps; ++t, w += cout) {
        V wv[NV];
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) wv[v] = Vec::load(w + v * W);
#pragma GCC unroll 12
        for (int p = 0; p < P; ++p) {
          const V xv = Vec::set1(x[p * pixel_step + t]);
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) acc[p][v] = Vec::fmadd(xv, wv[v], acc[p][v]);
        }
      }
    }
  }
  // Locals: stores through y could otherwise alias `a` and force reloads of its fields.
  const float* z = a.z;
  float* y = a.y;
  const int64_t pooled_end = a.out_width / 2 * 2;  // the pool's floor drops an odd last column
  const V lo = Vec::set1(a.clip_min), hi = Vec::set1(a.clip_max);
#pragma GCC unroll 12
  for (int p = 0; p < P; ++p) {
    const int64_t ow = ow0 + p;
    if (pool_pass != 0) {
      if (ow >= pooled_end) continue;
      float* out = y + (ow / 2) * cout + c0;
      const bool first = pool_pass == 1 && ow % 2 == 0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        const V r = Vec::min(hi, Vec::max(lo, acc[p][v]));
        Vec::store(out + v * W, first ? r : Vec::max(Vec::load(out + v * W), r));
      }
      continue;
    }
    const int64_t offset = ow * cout + c0;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V r = acc[p][v];
      if (z) r = Vec::add(r, Vec::load(z + offset + v * W));
      // max(lo, NaN) and min(hi, NaN) return the NaN (second operand), as Relu keeps it.
      Vec::store(y + offset + v * W, Vec::min(hi, Vec::max(lo, r)));
    }
  }
}

// A block of `count` pixels, count <= P: the instance for exactly that many.
template <class Vec, int NV, int P>
void conv_nhwc_block_of(const ConvNhwcRow& a, int64_t ow0, int64_t count, int64_t c0,
                        int pool_pass) {
  if constexpr (P > 1)
    if (count < P) return conv_nhwc_block_of<Vec, NV, P - 1>(a, ow0, count, c0, pool_pass);
  conv_nhwc_block<Vec, NV, P>(a, ow0, c0, pool_pass);
}

// NV vectors of channels from c0, over the whole row, in blocks of nearly equal size (a row
// of 28 in two blocks of 14 rather than 24 + 4): small blocks leave the FMA units waiting.
template <class Vec, int NV>
void conv_nhwc_channel_block(const ConvNhwcRow& a, int64_t c0, int pool_pass) {
  // Accumulators: as many as leave vector registers for the weights and the broadcast input;
  // pixels: at most 12, as each keeps an input pointer in a general register (more spill).
  constexpr int kAccumulators = Vec::kWidth >= 16 ? 24 : 12;
  constexpr int kMaxPixels = kAccumulators / NV < 12 ? kAccumulators / NV : 12;
  const int64_t blocks = (a.out_width + kMaxPixels - 1) / kMaxPixels;
  for (int64_t b = 0, ow = 0; b < blocks; ++b) {
    const int64_t next = a.out_width * (b + 1) / blocks;
    conv_nhwc_block_of<Vec, NV, kMaxPixels>(a, ow, next - ow, c0, pool_pass);
    ow = next;
  }
}

// One conv row, or with the pool one row of a pair (pool_pass 1 or 2), all channels.
template <class Vec>
void conv_nhwc_row_pass(const ConvNhwcRow& a, int pool_pass) {
  constexpr int W = Vec::kWidth;
  const int64_t vectors = a.out_channels / W;
  for (int64_t v0 = 0; v0 < vectors; v0 += 4) {
    const int64_t c0 = v0 * W;
    switch (vectors - v0) {
      case 1:
        conv_nhwc_channel_block<Vec, 1>(a, c0, pool_pass);
        break;
      case 2:
        conv_nhwc_channel_block<Vec, 2>(a, c0, pool_pass);
        break;
      case 3:
        conv_nhwc_channel_block<Vec, 3>(a, c0, pool_pass);
        break;
      default:
        conv_nhwc_channel_block<Vec, 4>(a, c0, pool_pass);
        break;
    }
  }
}

template <class Vec>
void conv_nhwc_row(const ConvNhwcRow& a) {
  if (!a.max_pool_2x2) return conv_nhwc_row_pass<Vec>(a, 0);
  if (conv_nhwc_pool_pair_applies(a)) return conv_nhwc_pool_pair_row<Vec>(a);
  conv_nhwc_row_pass<Vec>(a, 1);
  ConvNhwcRow second = a;
  second.x += a.x_pair_step;
  conv_nhwc_row_pass<Vec>(second, 2);
}

}  // namespace infera::simd
