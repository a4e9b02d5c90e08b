// AveragePool: mean over each window; padding counts in the divisor only with
// count_include_pad.
#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/pool_window.h"

namespace infera {
namespace {

class AveragePoolKernel final : public OpKernel {
 public:
  explicit AveragePoolKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)),
        count_include_pad_(init.attr_int("count_include_pad", 0) != 0) {
    if (attrs_.kernel_shape.empty()) init.fail("missing required attribute 'kernel_shape'");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SpatialGeometry g = resolve_pool_geometry(attrs_, x.shape(), &ctx);
    ctx.set_output(0, x.dtype(), pool_output_shape(x.shape(), g));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SpatialGeometry g = resolve_pool_geometry(attrs_, x.shape(), nullptr);
    const int64_t planes = x.dim(0) * x.dim(1);
    dispatch_float(x.dtype(), [&]<typename T>() {
      using Acc = accum_t<T>;
      T* y = ctx.output(0).data<T>();
      for (int64_t p = 0; p < planes; ++p) {
        const T* xp = x.data<T>() + p * g.in_size();
        T* yp = y + p * g.out_size();
        for_each_pool_window(g, [&](int64_t out, const PoolWindow& w) {
          Acc sum = 0;
          int64_t count = 0;
          for_each_window_element(g, w, [&](int64_t in, int64_t, int64_t, int64_t) {
            sum += Acc(xp[in]);
            ++count;
          });
          if (count_include_pad_) count = pool_window_padded_count(g, w);
          yp[out] = T(count > 0 ? sum / Acc(count) : Acc(0));
        });
      }
    });
  }

 private:
  SpatialAttrs attrs_;
  bool count_include_pad_;
};

}  // namespace
INFERA_REGISTER_OP("AveragePool", AveragePoolKernel);
}  // namespace infera
