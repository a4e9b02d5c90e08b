// LpPool: the p-norm of each window, (sum |x|^p)^(1/p); padding contributes zeros.
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/pool_window.h"

namespace infera {
namespace {

class LpPoolKernel final : public OpKernel {
 public:
  explicit LpPoolKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), p_(static_cast<double>(init.attr_float("p", 2.0f))) {
    if (attrs_.kernel_shape.empty()) init.fail("missing required attribute 'kernel_shape'");
    if (p_ <= 0) init.fail("p must be positive");
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
      T* y = ctx.output(0).data<T>();
      for (int64_t p = 0; p < planes; ++p) {
        const T* xp = x.data<T>() + p * g.in_size();
        T* yp = y + p * g.out_size();
        for_each_pool_window(g, [&](int64_t out, const PoolWindow& w) {
          double sum = 0;
          for_each_window_element(g, w, [&](int64_t in, int64_t, int64_t, int64_t) {
            sum += std::pow(std::fabs(static_cast<double>(xp[in])), p_);
          });
          yp[out] = from_double<T>(std::pow(sum, 1.0 / p_));
        });
      }
    });
  }

 private:
  SpatialAttrs attrs_;
  double p_;
};

}  // namespace
INFERA_REGISTER_OP("LpPool", LpPoolKernel);
}  // namespace infera
