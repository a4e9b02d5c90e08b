// The loops of the SimdKernels table, written once over a lane type and instantiated by each
// per-ISA file (kernels_avx512.cpp, ...) after its `#pragma GCC target`. A tail shorter than
// one vector goes through a stack buffer, so each element gets the same formula wherever it
// falls: results do not depend on how work is split between threads.
#pragma once

#include "ops/cpu/simd/conv_nhwc_row.h"
#include "ops/cpu/simd/max_pool_nhwc_row.h"
#include "ops/cpu/simd/pointwise_conv_nhwc.h"
#include "ops/cpu/simd/vector_math.h"
#include "ops/cpu/simd/winograd_nhwc.h"

namespace infera::simd {

template <class Vec, class F>
void map_unary(const float* x, float* y, int64_t n, F f) {
  constexpr int W = Vec::kWidth;
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const auto a = f(Vec::load(x + i));
    const auto b = f(Vec::load(x + i + W));
    Vec::store(y + i, a);
    Vec::store(y + i + W, b);
  }
  for (; i + W <= n; i += W) Vec::store(y + i, f(Vec::load(x + i)));
  if (i == n) return;
  float buf[W] = {};
  for (int64_t k = i; k < n; ++k) buf[k - i] = x[k];
  Vec::store(buf, f(Vec::load(buf)));
  for (int64_t k = i; k < n; ++k) y[k] = buf[k - i];
}

template <class Vec, UnaryOp kOp>
void unary_f32(const float* x, float* y, int64_t n, const UnaryParams& p) {
  using V = typename Vec::V;
  const V zero = Vec::set1(0.0f), one = Vec::set1(1.0f);
  const V alpha = Vec::set1(p.alpha), beta = Vec::set1(p.beta);
  map_unary<Vec>(x, y, n, [&](V v) -> V {
    if constexpr (kOp == UnaryOp::kRelu) return Vec::max(v, zero);
    if constexpr (kOp == UnaryOp::kClip) return Vec::min(beta, Vec::max(alpha, v));
    if constexpr (kOp == UnaryOp::kSigmoid) return vsigmoid<Vec>(v);
    if constexpr (kOp == UnaryOp::kSiLU) return vsilu<Vec>(v);
    if constexpr (kOp == UnaryOp::kTanh) return vtanh<Vec>(v);
    if constexpr (kOp == UnaryOp::kErf) return verf<Vec>(v);
    if constexpr (kOp == UnaryOp::kExp) return vexp<Vec>(v);
    if constexpr (kOp == UnaryOp::kHardSwish) {
      const V gate = Vec::fmadd(v, Vec::set1(1.0f / 6), Vec::set1(0.5f));
      return Vec::mul(v, Vec::min(Vec::max(gate, zero), one));
    }
    if constexpr (kOp == UnaryOp::kHardSigmoid)
      return Vec::min(Vec::max(Vec::fmadd(alpha, v, beta), zero), one);
    if constexpr (kOp == UnaryOp::kLeakyRelu)
      return Vec::select(Vec::lt(v, zero), Vec::mul(alpha, v), v);
    return v;
  });
}

template <class Vec, BinaryOp kOp>
typename Vec::V apply_binary(typename Vec::V a, typename Vec::V b) {
  if constexpr (kOp == BinaryOp::kAdd) return Vec::add(a, b);
  if constexpr (kOp == BinaryOp::kSub) return Vec::sub(a, b);
  if constexpr (kOp == BinaryOp::kMul) return Vec::mul(a, b);
  return Vec::div(a, b);
}

template <class Vec, BinaryOp kOp, BinaryMode kMode>
void binary_row(const float* a, const float* b, float* y, int64_t n) {
  using V = typename Vec::V;
  if constexpr (kMode == BinaryMode::kVectorScalar) {
    const V s = Vec::set1(*b);
    map_unary<Vec>(a, y, n, [&](V v) { return apply_binary<Vec, kOp>(v, s); });
  } else if constexpr (kMode == BinaryMode::kScalarVector) {
    const V s = Vec::set1(*a);
    map_unary<Vec>(b, y, n, [&](V v) { return apply_binary<Vec, kOp>(s, v); });
  } else {
    constexpr int W = Vec::kWidth;
    int64_t i = 0;
    for (; i + W <= n; i += W)
      Vec::store(y + i, apply_binary<Vec, kOp>(Vec::load(a + i), Vec::load(b + i)));
    if (i == n) return;
    float ba[W] = {}, bb[W] = {};
    for (int64_t k = i; k < n; ++k) ba[k - i] = a[k], bb[k - i] = b[k];
    Vec::store(ba, apply_binary<Vec, kOp>(Vec::load(ba), Vec::load(bb)));
    for (int64_t k = i; k < n; ++k) y[k] = ba[k - i];
  }
}

// Many short rows in one call (a channels-last [N, H*W, C] times a [N, 1, C] scale: rows of C).
template <class Vec, BinaryOp kOp, BinaryMode kMode>
void binary_f32(const float* a, int64_t a_row_stride, const float* b, int64_t b_row_stride,
                float* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r)
    binary_row<Vec, kOp, kMode>(a + r * a_row_stride, b + r * b_row_stride, y + r * n, n);
}

// Folds a row into one vector with `step` from `init`, the tail lanes padded with `pad`.
template <class Vec, class Step>
typename Vec::V fold_row(const float* x, int64_t n, float init, float pad, Step step) {
  constexpr int W = Vec::kWidth;
  auto acc = Vec::set1(init);
  int64_t i = 0;
  for (; i + W <= n; i += W) acc = step(acc, Vec::load(x + i));
  if (i == n) return acc;
  float buf[W];
  for (int k = 0; k < W; ++k) buf[k] = i + k < n ? x[i + k] : pad;
  return step(acc, Vec::load(buf));
}

template <class Vec>
float sum_row(const float* x, int64_t n) {
  return Vec::hsum(fold_row<Vec>(x, n, 0.0f, 0.0f, [](auto acc, auto v) { return Vec::add(acc, v); }));
}

template <class Vec>
float max_row(const float* x, int64_t n) {
  return Vec::hmax(fold_row<Vec>(x, n, -__builtin_inff(), -__builtin_inff(), [](auto acc, auto v) { return Vec::max(acc, v); }));
}

// One float as a lane type, for the scalar tail of column_sums.
struct ScalarLane {
  using V = float;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V add(V a, V b) { return a + b; }
  static V set1(float x) { return x; }
};

// Four partial sums over rows r % 4, then (s0 + s1) + (s2 + s3): the same order in every
// vector lane and in the scalar tail, so each column's sum has the same bits at every level.
template <class Lane>
void column_sum_block(const float* x, int64_t rows, int64_t row_stride, float* sums) {
  auto s0 = Lane::set1(0.0f), s1 = s0, s2 = s0, s3 = s0;
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4, x += 4 * row_stride) {
    s0 = Lane::add(s0, Lane::load(x));
    s1 = Lane::add(s1, Lane::load(x + row_stride));
    s2 = Lane::add(s2, Lane::load(x + 2 * row_stride));
    s3 = Lane::add(s3, Lane::load(x + 3 * row_stride));
  }
  for (; r < rows; ++r, x += row_stride) s0 = Lane::add(s0, Lane::load(x));
  Lane::store(sums, Lane::add(Lane::add(s0, s1), Lane::add(s2, s3)));
}

template <class Vec>
void column_sums(const float* x, int64_t rows, int64_t row_stride, int64_t width, float* sums) {
  int64_t c = 0;
  for (; c + Vec::kWidth <= width; c += Vec::kWidth)
    column_sum_block<Vec>(x + c, rows, row_stride, sums + c);
  for (; c < width; ++c) column_sum_block<ScalarLane>(x + c, rows, row_stride, sums + c);
}

// Outputs j .. j + 4 vectors, summed in registers over all of k (four independent chains).
template <class Vec>
void vector_matrix_block4(const float* x, const float* w, int64_t w_stride, const float* bias,
                          int64_t k, float* y, int64_t j) {
  constexpr int W = Vec::kWidth;
  typename Vec::V acc[4];
  for (int v = 0; v < 4; ++v) acc[v] = bias ? Vec::load(bias + j + v * W) : Vec::set1(0.0f);
  for (int64_t i = 0; i < k; ++i) {
    const auto xi = Vec::set1(x[i]);
    const float* row = w + i * w_stride + j;
    for (int v = 0; v < 4; ++v) acc[v] = Vec::fmadd(xi, Vec::load(row + v * W), acc[v]);
  }
  for (int v = 0; v < 4; ++v) Vec::store(y + j + v * W, acc[v]);
}

// One vector of outputs from column j, of which `width` are kept: the sum over k in four
// chains (i % 4), joined as (s0 + s1) + (s2 + s3), so a long k is not one latency-bound chain.
template <class Vec>
void vector_matrix_block1(const float* x, const float* w, int64_t w_stride, const float* bias,
                          int64_t k, float* y, int64_t j, int64_t width) {
  constexpr int W = Vec::kWidth;
  using V = typename Vec::V;
  float b[W] = {}, out[W];
  for (int64_t c = 0; c < width && bias; ++c) b[c] = bias[j + c];
  V s0 = Vec::load(b), s1 = Vec::set1(0.0f), s2 = s1, s3 = s1;
  const float* col = w + j;
  int64_t i = 0;
  for (; i + 4 <= k; i += 4) {
    s0 = Vec::fmadd(Vec::set1(x[i]), Vec::load(col + i * w_stride), s0);
    s1 = Vec::fmadd(Vec::set1(x[i + 1]), Vec::load(col + (i + 1) * w_stride), s1);
    s2 = Vec::fmadd(Vec::set1(x[i + 2]), Vec::load(col + (i + 2) * w_stride), s2);
    s3 = Vec::fmadd(Vec::set1(x[i + 3]), Vec::load(col + (i + 3) * w_stride), s3);
  }
  for (; i < k; ++i) s0 = Vec::fmadd(Vec::set1(x[i]), Vec::load(col + i * w_stride), s0);
  Vec::store(out, Vec::add(Vec::add(s0, s1), Vec::add(s2, s3)));
  for (int64_t c = 0; c < width; ++c) y[j + c] = out[c];
}

// w's rows are w_stride floats apart, padded with zeros to a whole vector past n. Each block of
// columns is done for every image before the next, so its weights stay in cache.
template <class Vec>
void vector_matrix(const float* x, int64_t images, const float* w, int64_t w_stride,
                   const float* bias, int64_t k, int64_t n, float* y) {
  constexpr int W = Vec::kWidth;
  int64_t j = 0;
  // Blocks of 4 vectors while k is short enough for their single chains (expand convs).
  if (k <= 64)
    for (; j + 4 * W <= n; j += 4 * W)
      for (int64_t m = 0; m < images; ++m)
        vector_matrix_block4<Vec>(x + m * k, w, w_stride, bias, k, y + m * n, j);
  for (; j < n; j += W)
    for (int64_t m = 0; m < images; ++m)
      vector_matrix_block1<Vec>(x + m * k, w, w_stride, bias, k, y + m * n, j,
                                n - j < W ? n - j : W);
}

template <class Vec>
void softmax_row(const float* x, float* y, int64_t n) {
  const float m = max_row<Vec>(x, n);
  // y = e^(x - m), then scaled by the reciprocal of its sum.
  map_unary<Vec>(x, y, n, [&](auto v) { return vexp<Vec>(Vec::sub(v, Vec::set1(m))); });
  const float inv = 1.0f / sum_row<Vec>(y, n);
  map_unary<Vec>(y, y, n, [&](auto v) { return Vec::mul(v, Vec::set1(inv)); });
}

template <class Vec>
void layer_norm_row(const float* x, const float* scale, const float* bias, float* y, int64_t n,
                    float epsilon, float* mean_out, float* inv_out) {
  using V = typename Vec::V;
  const float mean = sum_row<Vec>(x, n) / static_cast<float>(n);
  const V vmean = Vec::set1(mean);
  const V sq = fold_row<Vec>(x, n, 0.0f, mean, [&](V acc, V v) {
    const V d = Vec::sub(v, vmean);
    return Vec::fmadd(d, d, acc);
  });
  const float inv = 1.0f / __builtin_sqrtf(Vec::hsum(sq) / static_cast<float>(n) + epsilon);
  *mean_out = mean;
  *inv_out = inv;
  const V vinv = Vec::set1(inv);
  constexpr int W = Vec::kWidth;
  int64_t i = 0;
  auto one = [&](const float* xs, const float* ss, const float* bs, float* ys) {
    const V norm = Vec::mul(Vec::sub(Vec::load(xs), vmean), vinv);
    Vec::store(ys, bs ? Vec::fmadd(norm, Vec::load(ss), Vec::load(bs)) : Vec::mul(norm, Vec::load(ss)));
  };
  for (; i + W <= n; i += W) one(x + i, scale + i, bias ? bias + i : nullptr, y + i);
  if (i == n) return;
  float bx[W] = {}, bs[W] = {}, bb[W] = {}, by[W];
  for (int64_t k = i; k < n; ++k) {
    bx[k - i] = x[k];
    bs[k - i] = scale[k];
    bb[k - i] = bias ? bias[k] : 0.0f;
  }
  one(bx, bs, bias ? bb : nullptr, by);
  for (int64_t k = i; k < n; ++k) y[k] = by[k - i];
}

template <class Vec, BinaryOp kOp>
void fill_binary_modes(BinaryFn (&row)[static_cast<int>(BinaryMode::kCount)]) {
  row[0] = &binary_f32<Vec, kOp, BinaryMode::kVectorVector>;
  row[1] = &binary_f32<Vec, kOp, BinaryMode::kVectorScalar>;
  row[2] = &binary_f32<Vec, kOp, BinaryMode::kScalarVector>;
}

template <class Vec>
SimdKernels make_kernel_table(const char* isa) {
  SimdKernels t{};
  t.isa = isa;
  auto u = [&](UnaryOp op) -> UnaryFn& { return t.unary[static_cast<int>(op)]; };
  u(UnaryOp::kRelu) = &unary_f32<Vec, UnaryOp::kRelu>;
  u(UnaryOp::kClip) = &unary_f32<Vec, UnaryOp::kClip>;
  u(UnaryOp::kSigmoid) = &unary_f32<Vec, UnaryOp::kSigmoid>;
  u(UnaryOp::kTanh) = &unary_f32<Vec, UnaryOp::kTanh>;
  u(UnaryOp::kErf) = &unary_f32<Vec, UnaryOp::kErf>;
  u(UnaryOp::kExp) = &unary_f32<Vec, UnaryOp::kExp>;
  u(UnaryOp::kHardSwish) = &unary_f32<Vec, UnaryOp::kHardSwish>;
  u(UnaryOp::kHardSigmoid) = &unary_f32<Vec, UnaryOp::kHardSigmoid>;
  u(UnaryOp::kLeakyRelu) = &unary_f32<Vec, UnaryOp::kLeakyRelu>;
  u(UnaryOp::kSiLU) = &unary_f32<Vec, UnaryOp::kSiLU>;
  fill_binary_modes<Vec, BinaryOp::kAdd>(t.binary[0]);
  fill_binary_modes<Vec, BinaryOp::kSub>(t.binary[1]);
  fill_binary_modes<Vec, BinaryOp::kMul>(t.binary[2]);
  fill_binary_modes<Vec, BinaryOp::kDiv>(t.binary[3]);
  t.softmax_row = &softmax_row<Vec>;
  t.layer_norm_row = &layer_norm_row<Vec>;
  t.sum_row = &sum_row<Vec>;
  t.max_row = &max_row<Vec>;
  t.column_sums = &column_sums<Vec>;
  t.vector_matrix = &vector_matrix<Vec>;
  t.conv_nhwc_row = &conv_nhwc_row<Vec>;
  t.pointwise_conv_nhwc = &pointwise_conv_nhwc<Vec>;
  t.pointwise_block = PointwiseTile<Vec>::kBlock;
  t.max_pool_nhwc_row = &max_pool_nhwc_row<Vec>;
  t.winograd_input[0] = &winograd_input<Vec, 2>;
  t.winograd_input[1] = &winograd_input<Vec, 4>;
  t.winograd_output[0] = &winograd_output<Vec, 2>;
  t.winograd_output[1] = &winograd_output<Vec, 4>;
  return t;
}

}  // namespace infera::simd
