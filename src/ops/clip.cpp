// Clip: y = min(max(x, lo), hi). Before opset 11 the bounds are float attributes `min`/`max`;
// from opset 11 they are optional scalar inputs 1 and 2 of x's dtype. A missing bound leaves
// that side open. When lo > hi every element becomes hi, as numpy.clip gives.
#include <limits>
#include <string>

#include "ops/elementwise_common.h"

namespace infera {
namespace {

class ClipKernel final : public OpKernel {
 public:
  explicit ClipKernel(const KernelInit& init)
      : bounds_from_inputs_(init.opset() >= 11),
        attr_min_(init.attr_float("min", std::numeric_limits<float>::lowest())),
        attr_max_(init.attr_float("max", std::numeric_limits<float>::max())) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, TypeFamily::kNumeric);
    const Tensor& x = ctx.input(0);
    for (int i = 1; i <= 2 && bounds_from_inputs_; ++i) {
      if (!ctx.has_input(i)) continue;
      const Tensor& bound = ctx.input(i);
      if (bound.dtype() != x.dtype()) {
        ctx.fail("input " + std::to_string(i) + " should be " + dtype_name(x.dtype()) +
                 " like x, got " + dtype_name(bound.dtype()));
      }
      if (bound.numel() != 1) {
        ctx.fail("input " + std::to_string(i) + " should be a scalar, got shape " +
                 shape_to_string(bound.shape()));
      }
    }
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      C lo = std::numeric_limits<C>::lowest();
      C hi = std::numeric_limits<C>::max();
      if (bounds_from_inputs_) {
        if (ctx.has_input(1)) lo = C(ctx.input(1).data<T>()[0]);
        if (ctx.has_input(2)) hi = C(ctx.input(2).data<T>()[0]);
      } else {
        lo = static_cast<C>(attr_min_);
        hi = static_cast<C>(attr_max_);
      }
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) {
        C v = C(in[i]);
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        out[i] = T(v);
      }
    });
  }

 private:
  bool bounds_from_inputs_;
  float attr_min_;
  float attr_max_;
};

}  // namespace
INFERA_REGISTER_OP("Clip", ClipKernel);
}  // namespace infera
