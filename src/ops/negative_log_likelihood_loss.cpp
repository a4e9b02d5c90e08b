// NegativeLogLikelihoodLoss: the input already holds log-probabilities; the loss of a
// position is minus the entry of its target class.
#include "ops/class_loss.h"

namespace infera {
namespace {

class NegativeLogLikelihoodLossKernel final : public OpKernel {
 public:
  explicit NegativeLogLikelihoodLossKernel(const KernelInit& init) : attrs_(init) {}

  void infer(InferContext& ctx) const override { infer_class_loss(ctx, attrs_); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ClassLossLayout layout = class_loss_layout(x);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      compute_class_loss<T>(ctx, attrs_, layout, [&](int64_t n, int64_t c, int64_t d) {
        return -static_cast<double>(in[(n * layout.c + c) * layout.d + d]);
      });
    });
  }

 private:
  ClassLossAttrs attrs_;
};

}  // namespace
INFERA_REGISTER_OP("NegativeLogLikelihoodLoss", NegativeLogLikelihoodLossKernel);
}  // namespace infera
