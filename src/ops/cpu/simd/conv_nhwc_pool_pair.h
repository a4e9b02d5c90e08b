// The two conv rows of a fused 2x2 max pool computed together (ConvNhwcRow with max_pool_2x2),
// for one input channel and a 3-tap unit-stride kernel row: the grey first layers of small
// CNNs, such as the Fashion-MNIST CNN's 28x28 conv. There the row-by-row path of
// conv_nhwc_row.h has 9 taps per block, so block set-up and the pool's read-modify-write of
// the pooled row (once per conv row) cost as much as the multiply-adds. Here a block holds P
// pixels of both rows; each input value, broadcast once, feeds every sum of the block it
// touches (up to 3 kernel columns x 2 rows), the kernel rows' weights stay in registers, and
// the 2x2 max is taken in registers, so each pooled pixel is stored once.
//
// The sums keep conv_nhwc_row.h's order (bias, then kh, kw ascending): input rows are visited
// top to bottom and input columns left to right. So the bits are that path's, whatever the
// blocking, the thread count or the batch.
//
// Included after a `#pragma GCC target`, like conv_nhwc_row.h: no standard library here.
#pragma once

#include <cstdint>

#include "ops/cpu/simd/dispatch.h"

namespace infera::simd {

constexpr int kPoolPairKernelW = 3;

inline bool conv_nhwc_pool_pair_applies(const ConvNhwcRow& a) {
  // The second row's window starts one window row further (stride_h == dilation_h), so input
  // row i of the window is kernel row i for the first conv row and i - 1 for the second.
  return a.max_pool_2x2 && a.in_channels == 1 && a.kernel_w == kPoolPairKernelW && a.stride == 1 &&
         a.dilation == 1 && a.x_pair_step == a.x_row_stride;
}

// Adds one input row (x at the block's first column) times kernel row w_first to the first
// conv row's sums and times kernel row w_second to the second's, where kFirst, kSecond.
template <class Vec, int P, bool kFirst, bool kSecond>
inline void pool_pair_add_input_row(const float* x, const float* w_first, const float* w_second,
                                    int64_t cout, typename Vec::V (&acc)[2][P]) {
  using V = typename Vec::V;
  constexpr int K = kPoolPairKernelW;
  V wf[K], ws[K];
#pragma GCC unroll 4
  for (int k = 0; k < K; ++k) {
    if constexpr (kFirst) wf[k] = Vec::load(w_first + k * cout);
    if constexpr (kSecond) ws[k] = Vec::load(w_second + k * cout);
  }
#pragma GCC unroll 16
  for (int j = 0; j < P + K - 1; ++j) {
    const V xv = Vec::set1(x[j]);
#pragma GCC unroll 4
    for (int k = 0; k < K; ++k) {
      const int p = j - k;  // the output column that input column j meets at kernel column k
      if (p < 0 || p >= P) continue;
      if constexpr (kFirst) acc[0][p] = Vec::fmadd(xv, wf[k], acc[0][p]);
      if constexpr (kSecond) acc[1][p] = Vec::fmadd(xv, ws[k], acc[1][p]);
    }
  }
}

// P (even) pixels of both rows from column ow0 (even), one vector of channels from c0.
template <class Vec, int P>
inline void conv_nhwc_pool_pair_block(const ConvNhwcRow& a, int64_t ow0, int64_t c0) {
  using V = typename Vec::V;
  const int64_t cout = a.out_channels, kernel_h = a.kernel_h;
  V acc[2][P];
  const V b = a.bias ? Vec::load(a.bias + c0) : Vec::set1(0.f);
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) acc[0][p] = acc[1][p] = b;
  const float* w = a.weights + c0;
  const int64_t w_row = kPoolPairKernelW * cout;  // one kernel row of [kh][kw][1][cout]
  const float* x = a.x + ow0;
  // Window row 0 meets only the first conv row, row kernel_h only the second.
  pool_pair_add_input_row<Vec, P, true, false>(x, w, w, cout, acc);
  for (int64_t i = 1; i < kernel_h; ++i)
    pool_pair_add_input_row<Vec, P, true, true>(x + i * a.x_row_stride, w + i * w_row,
                                                w + (i - 1) * w_row, cout, acc);
  pool_pair_add_input_row<Vec, P, false, true>(x + kernel_h * a.x_row_stride, w,
                                               w + (kernel_h - 1) * w_row, cout, acc);
  float* y = a.y + ow0 / 2 * cout + c0;
  const V lo = Vec::set1(a.clip_min), hi = Vec::set1(a.clip_max);
  auto clamp = [&](V r) { return Vec::min(hi, Vec::max(lo, r)); };
#pragma GCC unroll 8
  for (int q = 0; q < P / 2; ++q) {
    // The max in the order of the two-pass path (conv_nhwc_block's pool passes), for the
    // same bits with NaN: (0, 2q), (0, 2q + 1), (1, 2q), (1, 2q + 1).
    V m = Vec::max(clamp(acc[0][2 * q]), clamp(acc[0][2 * q + 1]));
    m = Vec::max(m, clamp(acc[1][2 * q]));
    Vec::store(y + q * cout, Vec::max(m, clamp(acc[1][2 * q + 1])));
  }
}

// A block of `count` pixels, count <= P and even: the instance for exactly that many.
template <class Vec, int P>
void conv_nhwc_pool_pair_block_of(const ConvNhwcRow& a, int64_t ow0, int64_t count, int64_t c0) {
  if constexpr (P > 2)
    if (count < P) return conv_nhwc_pool_pair_block_of<Vec, P - 2>(a, ow0, count, c0);
  conv_nhwc_pool_pair_block<Vec, P>(a, ow0, c0);
}

// The pooled row, one vector of channels at a time, in blocks of nearly equal size.
template <class Vec>
void conv_nhwc_pool_pair_row(const ConvNhwcRow& a) {
  constexpr int W = Vec::kWidth;
  // 2 x P accumulators, 2 x 3 weights and the broadcast input in vector registers: 31 of
  // AVX-512's 32 at P = 12, 15 of AVX2's 16 at P = 4.
  constexpr int kMaxPixels = W >= 16 ? 12 : 4;
  const int64_t pairs = a.out_width / 2;  // the pool's floor drops an odd last column
  const int64_t blocks = (pairs + kMaxPixels / 2 - 1) / (kMaxPixels / 2);
  for (int64_t c0 = 0; c0 < a.out_channels; c0 += W)
    for (int64_t b = 0, pair = 0; b < blocks; ++b) {
      const int64_t next = pairs * (b + 1) / blocks;
      conv_nhwc_pool_pair_block_of<Vec, kMaxPixels>(a, 2 * pair, 2 * (next - pair), c0);
      pair = next;
    }
}

}  // namespace infera::simd
