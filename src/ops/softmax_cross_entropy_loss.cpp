// SoftmaxCrossEntropyLoss: log-softmax over the class axis, then the negative log-likelihood
// of each target. The optional second output is that log-softmax.
#include <cmath>

#include "ops/class_loss.h"

namespace infera {
namespace {

class SoftmaxCrossEntropyLossKernel final : public OpKernel {
 public:
  explicit SoftmaxCrossEntropyLossKernel(const KernelInit& init) : attrs_(init) {}

  void infer(InferContext& ctx) const override {
    infer_class_loss(ctx, attrs_);
    if (ctx.has_output(1)) ctx.set_output(1, ctx.input(0).dtype(), ctx.input(0).shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ClassLossLayout layout = class_loss_layout(x);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      auto at = [&](int64_t n, int64_t c, int64_t d) { return (n * layout.c + c) * layout.d + d; };
      // log(sum(exp(x))) over the classes of position (n, d), shifted by the max for range.
      auto log_sum_exp = [&](int64_t n, int64_t d) {
        double m = -INFINITY, sum = 0;
        for (int64_t c = 0; c < layout.c; ++c) m = std::fmax(m, double(in[at(n, c, d)]));
        for (int64_t c = 0; c < layout.c; ++c) sum += std::exp(double(in[at(n, c, d)]) - m);
        return m + std::log(sum);
      };
      compute_class_loss<T>(ctx, attrs_, layout, [&](int64_t n, int64_t c, int64_t d) {
        return log_sum_exp(n, d) - double(in[at(n, c, d)]);
      });
      if (!ctx.has_output(1)) return;
      T* log_prob = ctx.output(1).data<T>();
      for (int64_t n = 0; n < layout.n; ++n) {
        for (int64_t d = 0; d < layout.d; ++d) {
          const double lse = log_sum_exp(n, d);
          for (int64_t c = 0; c < layout.c; ++c) {
            log_prob[at(n, c, d)] = T(double(in[at(n, c, d)]) - lse);
          }
        }
      }
    });
  }

 private:
  ClassLossAttrs attrs_;
};

}  // namespace
INFERA_REGISTER_OP("SoftmaxCrossEntropyLoss", SoftmaxCrossEntropyLossKernel);
}  // namespace infera
