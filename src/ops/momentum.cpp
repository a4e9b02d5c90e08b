// Momentum (ai.onnx.preview.training): per tensor X with gradient G and momentum V,
//   g = norm_coefficient * X + G,  V' = alpha V + beta' g   (beta' = 1 on the first update, T = 0)
//   standard:  X' = X - R V'
//   nesterov:  X' = X - R (g + alpha V')
#include "ops/dispatch.h"
#include "ops/optimizer_util.h"

namespace infera {
namespace {

class MomentumKernel final : public OpKernel {
 public:
  explicit MomentumKernel(const KernelInit& init)
      : alpha_(init.attr_float("alpha", 0.0f)),
        beta_(init.attr_float("beta", 0.0f)),
        norm_coefficient_(init.attr_float("norm_coefficient", 0.0f)) {
    for (const char* name : {"alpha", "beta", "mode", "norm_coefficient"}) {
      if (!init.has_attr(name)) init.fail(std::string("missing required attribute '") + name + "'");
    }
    const std::string mode = init.attr_string("mode", "");
    if (mode != "standard" && mode != "nesterov") {
      init.fail("mode must be 'standard' or 'nesterov', got '" + mode + "'");
    }
    nesterov_ = mode == "nesterov";
  }

  void infer(InferContext& ctx) const override { infer_optimizer(ctx, 3); }

  void run(RunContext& ctx) const override {
    const int64_t n = optimizer_tensor_count(ctx, 3);
    const double rate = read_scalar_double(ctx.input(0));
    const double beta = read_scalar_int(ctx.input(1)) > 0 ? beta_ : 1.0;
    for (int64_t j = 0; j < n; ++j) {
      const Tensor& x = ctx.input(static_cast<int>(2 + j));
      dispatch_float(x.dtype(), [&]<typename T>() {
        const T* xs = x.data<T>();
        const T* gs = ctx.input(static_cast<int>(2 + n + j)).data<T>();
        const T* vs = ctx.input(static_cast<int>(2 + 2 * n + j)).data<T>();
        const int x_slot = static_cast<int>(j), v_slot = static_cast<int>(n + j);
        T* x_new = ctx.has_output(x_slot) ? ctx.output(x_slot).data<T>() : nullptr;
        T* v_new = ctx.has_output(v_slot) ? ctx.output(v_slot).data<T>() : nullptr;
        for (int64_t e = 0; e < x.numel(); ++e) {
          const double xv = static_cast<double>(xs[e]);
          const double g = norm_coefficient_ * xv + static_cast<double>(gs[e]);
          const double v = alpha_ * static_cast<double>(vs[e]) + beta * g;
          if (v_new) v_new[e] = T(v);
          if (x_new) x_new[e] = T(xv - rate * (nesterov_ ? g + alpha_ * v : v));
        }
      });
    }
  }

 private:
  double alpha_, beta_, norm_coefficient_;
  bool nesterov_ = false;
};

}  // namespace
INFERA_REGISTER_OP_RANGE("ai.onnx.preview.training", "Momentum", 1, 1, MomentumKernel);
}  // namespace infera
