// One float lane in plain C++: the fallback for CPUs without AVX2, and the same algorithms as
// the vector paths, so every level computes the same formulas.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace infera::simd {

struct VecPortable {
  using V = float;
  using M = bool;
  static constexpr int kWidth = 1;
  static V load(const float* p) { return *p; }
  static void store(float* p, V v) { *p = v; }
  static V set1(float x) { return x; }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V fmadd(V a, V b, V c) { return std::fma(a, b, c); }
  // As x86 max/min: the second operand when either is NaN.
  static V max(V a, V b) { return a > b ? a : b; }
  static V min(V a, V b) { return a < b ? a : b; }
  static V abs(V a) { return std::fabs(a); }
  static V round(V a) { return std::nearbyint(a); }
  static V floor(V a) { return std::floor(a); }
  static V pow2(V n) {
    return std::bit_cast<float>(static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23);
  }
  // p * 2^n for integral n in [-252, 254], in two steps so subnormal results come out right.
  static V scale_pow2(V p, V n) {
    n = std::min(254.0f, std::max(-252.0f, n));
    const V half = std::floor(n * 0.5f);
    return p * pow2(half) * pow2(n - half);
  }
  static V reciprocal(V a) { return 1.0f / a; }
  static V copysign(V magnitude, V sign) { return std::copysign(magnitude, sign); }
  static M lt(V a, V b) { return a < b; }
  static M gt(V a, V b) { return a > b; }
  static V select(M m, V if_true, V if_false) { return m ? if_true : if_false; }
  static float hsum(V v) { return v; }
  static float hmax(V v) { return v; }
};

}  // namespace infera::simd
