// Adagrad (ai.onnx.preview.training): per tensor X with gradient G and accumulated squared
// gradient H,
//   r' = R / (1 + T * decay_factor),  g = norm_coefficient * X + G,  H' = H + g^2
//   X' = X - r' * g / (sqrt(H') + epsilon)
#include <cmath>

#include "ops/dispatch.h"
#include "ops/optimizer_util.h"

namespace infera {
namespace {

class AdagradKernel final : public OpKernel {
 public:
  explicit AdagradKernel(const KernelInit& init)
      : decay_factor_(init.attr_float("decay_factor", 0.0f)),
        epsilon_(init.attr_float("epsilon", 1e-6f)),
        norm_coefficient_(init.attr_float("norm_coefficient", 0.0f)) {}

  void infer(InferContext& ctx) const override { infer_optimizer(ctx, 3); }

  void run(RunContext& ctx) const override {
    const int64_t n = optimizer_tensor_count(ctx, 3);
    const double rate = read_scalar_double(ctx.input(0)) /
                        (1.0 + static_cast<double>(read_scalar_int(ctx.input(1))) * decay_factor_);
    for (int64_t j = 0; j < n; ++j) {
      const Tensor& x = ctx.input(static_cast<int>(2 + j));
      dispatch_float(x.dtype(), [&]<typename T>() {
        const T* xs = x.data<T>();
        const T* gs = ctx.input(static_cast<int>(2 + n + j)).data<T>();
        const T* hs = ctx.input(static_cast<int>(2 + 2 * n + j)).data<T>();
        T* x_new = ctx.has_output(static_cast<int>(j)) ? ctx.output(static_cast<int>(j)).data<T>()
                                                       : nullptr;
        T* h_new = ctx.has_output(static_cast<int>(n + j))
                       ? ctx.output(static_cast<int>(n + j)).data<T>()
                       : nullptr;
        for (int64_t e = 0; e < x.numel(); ++e) {
          const double g =
              norm_coefficient_ * static_cast<double>(xs[e]) + static_cast<double>(gs[e]);
          const double h = static_cast<double>(hs[e]) + g * g;
          if (h_new) h_new[e] = T(h);
          if (x_new)
            x_new[e] = T(static_cast<double>(xs[e]) - rate * g / (std::sqrt(h) + epsilon_));
        }
      });
    }
  }

 private:
  double decay_factor_, epsilon_, norm_coefficient_;
};

}  // namespace
INFERA_REGISTER_OP_RANGE("ai.onnx.preview.training", "Adagrad", 1, 1, AdagradKernel);
}  // namespace infera
