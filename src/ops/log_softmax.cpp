// LogSoftmax: x - max - log(sum(exp(x - max))) along a row.
#include "ops/softmax_kernel.h"

namespace infera {
namespace {

struct LogSoftmaxRow {
  template <typename T>
  static void apply(const T* in, T* out, int64_t n, int64_t stride) {
    const double m = row_max(in, n, stride);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(in[k * stride]) - m);
    const double shift = m + std::log(sum);
    for (int64_t k = 0; k < n; ++k)
      out[k * stride] = T(static_cast<double>(in[k * stride]) - shift);
  }
};
using LogSoftmaxKernel = SoftmaxLikeKernel<LogSoftmaxRow>;

}  // namespace
INFERA_REGISTER_OP("LogSoftmax", LogSoftmaxKernel);
}  // namespace infera
