// Identity: y = x, for tensors, sequences and optionals alike.
#include "ops/movement.h"

namespace infera {
namespace {

class IdentityKernel final : public OpKernel {
 public:
  explicit IdentityKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override {
    const Value& x = ctx.input_value(0);
    if (!x.is_tensor()) {
      ctx.set_output_non_tensor(0);
      return;
    }
    ctx.set_output(0, x.tensor.dtype(), x.tensor.shape());
  }
  void run(RunContext& ctx) const override {
    const Value& x = ctx.input_value(0);
    if (!x.is_tensor()) {
      ctx.set_output_value(0, x);
      return;
    }
    copy_unless_aliased(x.tensor, ctx.output(0));
  }
};

}  // namespace
INFERA_REGISTER_OP("Identity", IdentityKernel);
}  // namespace infera
