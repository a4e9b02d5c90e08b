// Softmax: exp(x - max) / sum(exp(x - max)) along a row.
#include "ops/softmax_kernel.h"

namespace infera {
namespace {

struct SoftmaxRow {
  template <typename T>
  static void apply(const T* in, T* out, int64_t n, int64_t stride) {
    const double m = row_max(in, n, stride);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += std::exp(static_cast<double>(in[k * stride]) - m);
    for (int64_t k = 0; k < n; ++k) {
      out[k * stride] = T(std::exp(static_cast<double>(in[k * stride]) - m) / sum);
    }
  }
};
using SoftmaxKernel = SoftmaxLikeKernel<SoftmaxRow>;

}  // namespace
INFERA_REGISTER_OP("Softmax", SoftmaxKernel);
}  // namespace infera
