// DequantizeLinear: y = (x - x_zero_point) * x_scale, per tensor or (opset 13+) per slice
// along `axis`. y takes the scale's type (float32 before opset 19).
#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant_util.h"

namespace infera {
namespace {

class DequantizeLinearKernel final : public OpKernel {
 public:
  explicit DequantizeLinearKernel(const KernelInit& init)
      : axis_(init.opset() >= 13 ? init.attr_int("axis", 1) : 1) {
    if (init.attr_int("block_size", 0) != 0) init.unsupported("blocked quantization");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (zp && zp->dtype() != x.dtype())
      ctx.fail(std::string("x_zero_point is ") + dtype_name(zp->dtype()) + " but x is " +
               dtype_name(x.dtype()));
    check_quant_params(ctx, x, ctx.input(1), zp, axis_);
    ctx.set_output(0, ctx.input(1).dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const QuantParam scale{&ctx.input(1)};
    const QuantParam zp{ctx.has_input(2) ? &ctx.input(2) : nullptr};
    int64_t outer = 1, extent = 1, inner = x.numel();
    if (scale.t->numel() != 1)
      split_at_axis(x.shape(), normalize_axis(axis_, x.rank()), outer, extent, inner);
    Tensor& y = ctx.output(0);
    dispatch_integer(x.dtype(), [&]<typename Q>() {
      const Q* in = x.data<Q>();
      dispatch_float(y.dtype(), [&]<typename T>() {
        // numpy: (x - zp) in integers, then times the scale in the scale's precision.
        using F = accum_t<T>;
        T* out = y.data<T>();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t a = 0; a < extent; ++a) {
            const F s = static_cast<F>(scale.at(a));
            const int64_t z = zp.at_int(a);
            const int64_t base = (o * extent + a) * inner;
            for (int64_t i = 0; i < inner; ++i)
              out[base + i] = T(static_cast<F>(static_cast<int64_t>(in[base + i]) - z) * s);
          }
        }
      });
    });
  }

 private:
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("DequantizeLinear", DequantizeLinearKernel);
}  // namespace infera
