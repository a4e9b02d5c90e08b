// Adam (ai.onnx.preview.training): per tensor X with gradient G, momentum V and squared-
// gradient average H,
//   g = norm_coefficient * X + G,  V' = alpha V + (1 - alpha) g,  H' = beta H + (1 - beta) g^2
//   r' = R sqrt(1 - beta^T) / (1 - alpha^T) when T > 0 (bias correction), else R
//   X' = (1 - norm_coefficient_post) (X - r' V' / (sqrt(H') + epsilon))
#include <cmath>

#include "ops/dispatch.h"
#include "ops/optimizer_util.h"

namespace infera {
namespace {

class AdamKernel final : public OpKernel {
 public:
  explicit AdamKernel(const KernelInit& init)
      : alpha_(init.attr_float("alpha", 0.9f)),
        beta_(init.attr_float("beta", 0.999f)),
        epsilon_(init.attr_float("epsilon", 1e-6f)),
        norm_coefficient_(init.attr_float("norm_coefficient", 0.0f)),
        norm_coefficient_post_(init.attr_float("norm_coefficient_post", 0.0f)) {}

  void infer(InferContext& ctx) const override { infer_optimizer(ctx, 4); }

  void run(RunContext& ctx) const override {
    const int64_t n = optimizer_tensor_count(ctx, 4);
    const double t = static_cast<double>(read_scalar_int(ctx.input(1)));
    double rate = read_scalar_double(ctx.input(0));
    if (t > 0) rate *= std::sqrt(1.0 - std::pow(beta_, t)) / (1.0 - std::pow(alpha_, t));
    for (int64_t j = 0; j < n; ++j) {
      const Tensor& x = ctx.input(static_cast<int>(2 + j));
      dispatch_float(x.dtype(), [&]<typename T>() { update<T>(ctx, n, j, rate); });
    }
  }

 private:
  template <typename T>
  void update(RunContext& ctx, int64_t n, int64_t j, double rate) const {
    const Tensor& x = ctx.input(optimizer_input_for(0, n, j));
    const T* xs = x.data<T>();
    const T* gs = ctx.input(static_cast<int>(2 + n + j)).data<T>();
    const T* vs = ctx.input(optimizer_input_for(1, n, j)).data<T>();
    const T* hs = ctx.input(optimizer_input_for(2, n, j)).data<T>();
    T* outs[3];
    for (int k = 0; k < 3; ++k) {
      const int slot = static_cast<int>(k * n + j);
      outs[k] = ctx.has_output(slot) ? ctx.output(slot).data<T>() : nullptr;
    }
    for (int64_t e = 0; e < x.numel(); ++e) {
      const double xv = static_cast<double>(xs[e]);
      const double g = norm_coefficient_ * xv + static_cast<double>(gs[e]);
      const double v = alpha_ * static_cast<double>(vs[e]) + (1.0 - alpha_) * g;
      const double h = beta_ * static_cast<double>(hs[e]) + (1.0 - beta_) * g * g;
      const double x_new =
          (1.0 - norm_coefficient_post_) * (xv - rate * v / (std::sqrt(h) + epsilon_));
      if (outs[0]) outs[0][e] = T(x_new);
      if (outs[1]) outs[1][e] = T(v);
      if (outs[2]) outs[2][e] = T(h);
    }
  }

  double alpha_, beta_, epsilon_, norm_coefficient_, norm_coefficient_post_;
};

}  // namespace
INFERA_REGISTER_OP_RANGE("ai.onnx.preview.training", "Adam", 1, 1, AdamKernel);
}  // namespace infera
