// MatMul: numpy matmul with batch broadcasting and 1-D operands, summed i-k-j so the inner
// loop streams rows of B and Y.
#include <algorithm>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/matmul_shape.h"
#include "ops/op.h"

namespace infera {
namespace {

class MatMulKernel final : public OpKernel {
 public:
  explicit MatMulKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.dtype() != b.dtype())
      ctx.fail(std::string("A is ") + dtype_name(a.dtype()) + " but B is " + dtype_name(b.dtype()));
    MatMulGeometry g;
    Shape y;
    const std::string err = resolve_matmul(a.shape(), b.shape(), g, &y);
    if (!err.empty()) ctx.fail(err);
    ctx.set_output(0, a.dtype(), y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    MatMulGeometry g;
    resolve_matmul(a.shape(), b.shape(), g, nullptr);
    dispatch_numeric(a.dtype(), [&]<typename T>() {
      using Acc = accum_t<T>;
      T* y = ctx.output(0).data<T>();
      Acc acc[kAccumTile];
      for (int64_t t = 0; t < g.batch_count; ++t) {
        int64_t a_off, b_off;
        g.offsets(t, a_off, b_off);
        const T* A = a.data<T>() + a_off;
        const T* B = b.data<T>() + b_off;
        T* Y = y + t * g.m * g.n;
        for (int64_t i = 0; i < g.m; ++i) {
          for (int64_t j0 = 0; j0 < g.n; j0 += kAccumTile) {
            const int64_t count = std::min(kAccumTile, g.n - j0);
            std::fill(acc, acc + count, Acc(0));
            for (int64_t p = 0; p < g.k; ++p) {
              const Acc av = Acc(A[i * g.k + p]);
              const T* brow = B + p * g.n + j0;
              for (int64_t j = 0; j < count; ++j) acc[j] += av * Acc(brow[j]);
            }
            for (int64_t j = 0; j < count; ++j) Y[i * g.n + j0 + j] = T(acc[j]);
          }
        }
      }
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("MatMul", MatMulKernel);
}  // namespace infera
