// Det: determinant of each trailing [M, M] matrix, by LU decomposition with partial pivoting
// in double precision.
#include <cmath>
#include <utility>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

// run() may not allocate, so the working copy lives on the stack.
constexpr int64_t kMaxDetDim = 64;

double determinant(double* a, int64_t n) {
  double det = 1;
  for (int64_t c = 0; c < n; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < n; ++r)
      if (std::fabs(a[r * n + c]) > std::fabs(a[pivot * n + c])) pivot = r;
    if (a[pivot * n + c] == 0) return 0;
    if (pivot != c) {
      for (int64_t j = 0; j < n; ++j) std::swap(a[c * n + j], a[pivot * n + j]);
      det = -det;
    }
    det *= a[c * n + c];
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = a[r * n + c] / a[c * n + c];
      for (int64_t j = c; j < n; ++j) a[r * n + j] -= f * a[c * n + j];
    }
  }
  return det;
}

class DetKernel final : public OpKernel {
 public:
  explicit DetKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2 || x.dim(x.rank() - 1) != x.dim(x.rank() - 2))
      ctx.fail("X " + shape_to_string(x.shape()) + " must end in a square matrix");
    if (x.dim(x.rank() - 1) > kMaxDetDim)
      ctx.fail("matrices larger than " + std::to_string(kMaxDetDim) + "x" +
               std::to_string(kMaxDetDim) + " are not supported");
    ctx.set_output(0, x.dtype(), Shape(x.shape().begin(), x.shape().end() - 2));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t n = x.dim(x.rank() - 1);
    const int64_t count = n == 0 ? 0 : x.numel() / (n * n);
    dispatch_float(x.dtype(), [&]<typename T>() {
      double work[kMaxDetDim * kMaxDetDim];
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t b = 0; b < count; ++b) {
        for (int64_t i = 0; i < n * n; ++i) work[i] = static_cast<double>(in[b * n * n + i]);
        out[b] = from_double<T>(determinant(work, n));
      }
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("Det", DetKernel);
}  // namespace infera
