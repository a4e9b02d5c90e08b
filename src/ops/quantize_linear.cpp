// QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point), per tensor or
// (opset 13+) per slice along `axis`. y takes the zero point's type, uint8 when absent.
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant_util.h"

namespace infera {
namespace {

class QuantizeLinearKernel final : public OpKernel {
 public:
  explicit QuantizeLinearKernel(const KernelInit& init)
      : axis_(init.opset() >= 13 ? init.attr_int("axis", 1) : 1) {
    if (init.attr_int("block_size", 0) != 0) init.unsupported("blocked quantization");
    output_dtype_ = static_cast<DType>(init.attr_int("output_dtype", 0));
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor* zp = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    check_quant_params(ctx, x, ctx.input(1), zp, axis_);
    DType y = zp ? zp->dtype() : DType::kUInt8;
    if (output_dtype_ != DType::kUndefined) {
      if (zp && zp->dtype() != output_dtype_)
        ctx.fail(std::string("output_dtype is ") + dtype_name(output_dtype_) +
                 " but y_zero_point is " + dtype_name(zp->dtype()));
      y = output_dtype_;
    }
    ctx.set_output(0, y, x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const QuantParam scale{&ctx.input(1)};
    const QuantParam zp{ctx.has_input(2) ? &ctx.input(2) : nullptr};
    int64_t outer = 1, extent = 1, inner = x.numel();
    if (scale.t->numel() != 1)
      split_at_axis(x.shape(), normalize_axis(axis_, x.rank()), outer, extent, inner);
    Tensor& y = ctx.output(0);
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      // Divide in x's own precision (float for the float types) as numpy does.
      using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
      const T* in = x.data<T>();
      dispatch_quant_storage(y.dtype(), [&]<typename Q>() {
        Q* out = y.data<Q>();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t a = 0; a < extent; ++a) {
            const F s = static_cast<F>(scale.at(a));
            const double z = zp.at(a);
            const int64_t base = (o * extent + a) * inner;
            for (int64_t i = 0; i < inner; ++i) {
              const F q = static_cast<F>(static_cast<F>(in[base + i]) / s);
              out[base + i] = saturate_round<Q>(std::rint(static_cast<double>(q)) + z);
            }
          }
        }
      });
    });
  }

 private:
  int64_t axis_;
  DType output_dtype_ = DType::kUndefined;
};

}  // namespace
INFERA_REGISTER_OP("QuantizeLinear", QuantizeLinearKernel);
}  // namespace infera
