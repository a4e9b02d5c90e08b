// If: runs then_branch or else_branch on a boolean scalar condition.
#include "ops/op.h"

namespace infera {
namespace {

class IfKernel final : public OpKernel {
 public:
  explicit IfKernel(const KernelInit& init)
      : then_branch_(init.subgraph("then_branch")), else_branch_(init.subgraph("else_branch")) {}

  void infer(InferContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    if (cond.numel() != 1)
      ctx.fail("condition must hold one element, got shape " + shape_to_string(cond.shape()));
    // Which branch runs, and so the output shapes, depends on the condition's value.
    for (int i = 0; i < ctx.num_outputs(); ++i)
      if (ctx.has_output(i)) ctx.set_output_non_tensor(i);
  }

  void run(RunContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    const bool take_then = cond.dtype() == DType::kBool ? cond.data<bool>()[0] : cond.data<uint8_t>()[0] != 0;
    std::vector<Value> outputs = ctx.run_subgraph(take_then ? *then_branch_ : *else_branch_, {});
    if (static_cast<int>(outputs.size()) < ctx.num_outputs())
      ctx.fail("branch produced " + std::to_string(outputs.size()) + " outputs, the node has " +
               std::to_string(ctx.num_outputs()));
    for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_value(i, std::move(outputs[i]));
  }

 private:
  std::shared_ptr<const Subgraph> then_branch_;
  std::shared_ptr<const Subgraph> else_branch_;
};

}  // namespace
INFERA_REGISTER_OP("If", IfKernel);
}  // namespace infera
