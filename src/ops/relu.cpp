// Relu: y = max(x, 0).
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

class ReluKernel final : public OpKernel {
 public:
  explicit ReluKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override {
    ctx.set_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch_signed(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) out[i] = in[i] > T(0) ? in[i] : T(0);
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("Relu", ReluKernel);
}  // namespace infera
