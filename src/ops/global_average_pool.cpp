// GlobalAveragePool: the mean of each [N, C] plane, keeping the spatial dims as 1s.
#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/global_pool_shape.h"
#include "ops/op.h"

namespace infera {
namespace {

class GlobalAveragePoolKernel final : public OpKernel {
 public:
  explicit GlobalAveragePoolKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override { infer_global_pool(ctx); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes == 0 ? 0 : x.numel() / planes;
    dispatch_float(x.dtype(), [&]<typename T>() {
      using Acc = accum_t<T>;
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t p = 0; p < planes; ++p) {
        Acc sum = 0;
        for (int64_t i = 0; i < size; ++i) sum += Acc(in[p * size + i]);
        out[p] = T(size > 0 ? sum / Acc(size) : Acc(0));
      }
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("GlobalAveragePool", GlobalAveragePoolKernel);
}  // namespace infera
