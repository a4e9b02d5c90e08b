// What the spectral ops share (DFT, STFT, the window functions, MelWeightMatrix): a plain
// DFT over one line of complex samples, and writing computed doubles into any output dtype.
#pragma once

#include <complex>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/half.h"
#include "ops/op.h"
#include "ops/slot_util.h"

namespace infera {

// exp(-2 pi i k / n) for k in [0, n): the forward transform's roots of unity.
void dft_twiddles(int64_t n, std::vector<std::complex<double>>& table);

// out[k] = sum_j in[j] w^(jk) for k < out_count over an n-point transform, with the
// twiddles of dft_twiddles(n). `inverse` runs the conjugate transform and divides by n.
void dft_line(const std::complex<double>* in, int64_t n, const std::complex<double>* twiddles,
              bool inverse, std::complex<double>* out, int64_t out_count);

// A computed value stored as T: plain casts for built-in types, via float for 16-bit floats.
template <typename T>
T from_double(double v) {
  if constexpr (std::is_arithmetic_v<T>) {
    return static_cast<T>(v);
  } else {
    return T(static_cast<float>(v));
  }
}

}  // namespace infera
