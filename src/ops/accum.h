// The type a reference kernel sums in: float for float and the 16-bit floats (so Float16 and
// BFloat16 round once, on the final store), double for double, 64-bit for integers (so int32
// products do not overflow before the final narrowing, which wraps as numpy does).
#pragma once

#include <cstdint>
#include <type_traits>

#include "core/half.h"

namespace infera {

template <typename T>
struct AccumOf {
  using type = float;
};
template <>
struct AccumOf<double> {
  using type = double;
};
template <typename T>
requires std::is_integral_v<T>
struct AccumOf<T> {
  using type = std::conditional_t<std::is_same_v<T, uint64_t>, uint64_t, int64_t>;
};

template <typename T>
using accum_t = typename AccumOf<T>::type;

// A double result stored as T (the 16-bit floats convert from float).
template <typename T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, double>) {
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(v);
  } else {
    return T(static_cast<float>(v));
  }
}

// Tile width for row accumulators kept on the stack (run() must not allocate).
constexpr int64_t kAccumTile = 256;

}  // namespace infera
