#include "ops/signal_util.h"

#include <cmath>
#include <numbers>

namespace infera {

void dft_twiddles(int64_t n, std::vector<std::complex<double>>& table) {
  table.resize(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) {
    const double angle = -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(n);
    table[static_cast<size_t>(k)] = {std::cos(angle), std::sin(angle)};
  }
}

void dft_line(const std::complex<double>* in, int64_t n, const std::complex<double>* twiddles,
              bool inverse, std::complex<double>* out, int64_t out_count) {
  for (int64_t k = 0; k < out_count; ++k) {
    std::complex<double> sum = 0;
    // j * k reduced mod n indexes the table exactly, so large transforms keep their accuracy.
    int64_t index = 0;
    for (int64_t j = 0; j < n; ++j) {
      const std::complex<double> w = inverse ? std::conj(twiddles[index]) : twiddles[index];
      sum += in[j] * w;
      index += k;
      if (index >= n) index %= n;
    }
    out[k] = inverse ? sum / static_cast<double>(n) : sum;
  }
}

}  // namespace infera
