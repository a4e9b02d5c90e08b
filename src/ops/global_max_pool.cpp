// GlobalMaxPool: the maximum of each [N, C] plane, keeping the spatial dims as 1s.
#include "ops/dispatch.h"
#include "ops/global_pool_shape.h"
#include "ops/op.h"

namespace infera {
namespace {

class GlobalMaxPoolKernel final : public OpKernel {
 public:
  explicit GlobalMaxPoolKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override { infer_global_pool(ctx); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t planes = x.dim(0) * x.dim(1);
    const int64_t size = planes == 0 ? 0 : x.numel() / planes;
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t p = 0; p < planes; ++p) {
        const T* xp = in + p * size;
        double best = size > 0 ? static_cast<double>(xp[0]) : 0.0;
        int64_t at = 0;
        for (int64_t i = 1; i < size; ++i) {
          if (static_cast<double>(xp[i]) > best) {
            best = static_cast<double>(xp[i]);
            at = i;
          }
        }
        out[p] = size > 0 ? xp[at] : T(0);
      }
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("GlobalMaxPool", GlobalMaxPoolKernel);
}  // namespace infera
