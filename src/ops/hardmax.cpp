// Hardmax: 1 at the first largest element of a row, 0 elsewhere.
#include "ops/softmax_kernel.h"

namespace infera {
namespace {

struct HardmaxRow {
  template <typename T>
  static void apply(const T* in, T* out, int64_t n, int64_t stride) {
    int64_t best = 0;
    for (int64_t k = 1; k < n; ++k)
      if (static_cast<double>(in[k * stride]) > static_cast<double>(in[best * stride])) best = k;
    for (int64_t k = 0; k < n; ++k) out[k * stride] = T(k == best ? 1.0f : 0.0f);
  }
};
using HardmaxKernel = SoftmaxLikeKernel<HardmaxRow>;

}  // namespace
INFERA_REGISTER_OP("Hardmax", HardmaxKernel);
}  // namespace infera
