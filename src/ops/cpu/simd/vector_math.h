// Vector float32 math written once over a lane type (VecAvx512, VecAvx2, VecPortable), so
// every instruction set computes the same formulas. Included by the per-ISA kernel files after
// their `#pragma GCC target`; the standard headers this needs come before that pragma.
#pragma once

namespace infera::simd {

// e^x: x = n*ln2 + r with |r| <= ln2/2 (ln2 split in two so n*ln2 is exact), e^r by its
// degree-7 Taylor polynomial (truncation below 1e-8), then scaled by 2^n in two halves so
// results down in the subnormals and up to overflow come out right. About 1 ulp.
template <class Vec>
typename Vec::V vexp(typename Vec::V x) {
  using V = typename Vec::V;
  // Operand order keeps NaN: max/min return their second operand when one is NaN.
  x = Vec::min(Vec::set1(89.0f), Vec::max(Vec::set1(-104.0f), x));
  const V n = Vec::round(Vec::mul(x, Vec::set1(1.44269504088896341f)));
  V r = Vec::fmadd(n, Vec::set1(-0.693359375f), x);
  r = Vec::fmadd(n, Vec::set1(2.12194440e-4f), r);
  V p = Vec::set1(1.0f / 5040);
  p = Vec::fmadd(p, r, Vec::set1(1.0f / 720));
  p = Vec::fmadd(p, r, Vec::set1(1.0f / 120));
  p = Vec::fmadd(p, r, Vec::set1(1.0f / 24));
  p = Vec::fmadd(p, r, Vec::set1(1.0f / 6));
  p = Vec::fmadd(p, r, Vec::set1(0.5f));
  p = Vec::fmadd(p, r, Vec::set1(1.0f));
  p = Vec::fmadd(p, r, Vec::set1(1.0f));
  const V n_half = Vec::floor(Vec::mul(n, Vec::set1(0.5f)));
  return Vec::mul(Vec::mul(p, Vec::pow2(n_half)), Vec::pow2(Vec::sub(n, n_half)));
}

template <class Vec>
typename Vec::V vsigmoid(typename Vec::V x) {
  const auto one = Vec::set1(1.0f);
  return Vec::div(one, Vec::add(one, vexp<Vec>(Vec::sub(Vec::set1(0.0f), x))));
}

// SiLU, x * sigmoid(x) = x / (1 + e^-x), cheaper than x * vsigmoid(x) because EfficientNet-style
// models run it on every expanded activation: e^-x = 2^n * e^-r with a degree-5 minimax
// polynomial for e^-r (relative error below 1e-7 on |r| <= ln2/2), scaled in one step, and the
// divide replaced by a reciprocal estimate refined once (about 2^-22 relative on AVX-512 and
// AVX2, exact on the portable level).
template <class Vec>
typename Vec::V vsilu(typename Vec::V x) {
  using V = typename Vec::V;
  // x clamped to [-88, 104]: e^-x stays finite (so its reciprocal is tiny, not NaN) and the range
  // reduction never sees an infinity. Operand order keeps NaN.
  const V xc = Vec::min(Vec::set1(104.0f), Vec::max(Vec::set1(-88.0f), x));
  const V n = Vec::round(Vec::mul(xc, Vec::set1(-1.44269504088896341f)));
  // r = x + n * ln2, ln2 split in two so n * ln2 is exact.
  V r = Vec::fmadd(n, Vec::set1(0.693359375f), xc);
  r = Vec::fmadd(n, Vec::set1(-2.12194440e-4f), r);
  V p = Vec::set1(-8.290192112326622e-3f);
  p = Vec::fmadd(p, r, Vec::set1(4.189765453338623e-2f));
  p = Vec::fmadd(p, r, Vec::set1(-1.666763573884964e-1f));
  p = Vec::fmadd(p, r, Vec::set1(4.999915063381195e-1f));
  p = Vec::fmadd(p, r, Vec::set1(-9.999997019767761e-1f));
  p = Vec::fmadd(p, r, Vec::set1(1.0f));
  const V e = Vec::scale_pow2(p, n);
  return Vec::mul(x, Vec::reciprocal(Vec::add(Vec::set1(1.0f), e)));
}

// tanh: 1 - 2/(e^2|x| + 1) loses digits to cancellation near 0, so below |x| = 0.125 its odd
// Taylor series (next term under 1e-11 relative) takes over.
template <class Vec>
typename Vec::V vtanh(typename Vec::V x) {
  using V = typename Vec::V;
  const V ax = Vec::abs(x);
  const V one = Vec::set1(1.0f);
  const V e = vexp<Vec>(Vec::add(ax, ax));
  const V large = Vec::sub(one, Vec::div(Vec::set1(2.0f), Vec::add(e, one)));
  const V x2 = Vec::mul(ax, ax);
  V p = Vec::set1(62.0f / 2835);
  p = Vec::fmadd(p, x2, Vec::set1(-17.0f / 315));
  p = Vec::fmadd(p, x2, Vec::set1(2.0f / 15));
  p = Vec::fmadd(p, x2, Vec::set1(-1.0f / 3));
  const V small = Vec::fmadd(Vec::mul(p, x2), ax, ax);
  return Vec::copysign(Vec::select(Vec::lt(ax, Vec::set1(0.125f)), small, large), x);
}

// erf: below |x| = 0.5 its Maclaurin series (relative error < 1e-9); above, Abramowitz &
// Stegun 7.1.26, 1 - poly(t) e^(-x^2) with t = 1/(1 + p|x|), absolute error under 1.5e-7,
// which is under 3e-7 relative there since erf(0.5) > 0.52.
template <class Vec>
typename Vec::V verf(typename Vec::V x) {
  using V = typename Vec::V;
  const V ax = Vec::abs(x);
  const V x2 = Vec::mul(ax, ax);
  V s = Vec::set1(-1.0f / 75600);
  s = Vec::fmadd(s, x2, Vec::set1(1.0f / 9360));
  s = Vec::fmadd(s, x2, Vec::set1(-1.0f / 1320));
  s = Vec::fmadd(s, x2, Vec::set1(1.0f / 216));
  s = Vec::fmadd(s, x2, Vec::set1(-1.0f / 42));
  s = Vec::fmadd(s, x2, Vec::set1(1.0f / 10));
  s = Vec::fmadd(s, x2, Vec::set1(-1.0f / 3));
  s = Vec::fmadd(s, x2, Vec::set1(1.0f));
  const V small = Vec::mul(Vec::mul(s, ax), Vec::set1(1.12837916709551257f));
  const V one = Vec::set1(1.0f);
  const V t = Vec::div(one, Vec::fmadd(Vec::set1(0.3275911f), ax, one));
  V p = Vec::set1(1.061405429f);
  p = Vec::fmadd(p, t, Vec::set1(-1.453152027f));
  p = Vec::fmadd(p, t, Vec::set1(1.421413741f));
  p = Vec::fmadd(p, t, Vec::set1(-0.284496736f));
  p = Vec::fmadd(p, t, Vec::set1(0.254829592f));
  p = Vec::mul(p, t);
  const V large = Vec::sub(one, Vec::mul(p, vexp<Vec>(Vec::sub(Vec::set1(0.0f), x2))));
  return Vec::copysign(Vec::select(Vec::lt(ax, Vec::set1(0.5f)), small, large), x);
}

}  // namespace infera::simd
