// SequenceConstruct: a sequence of the input tensors, which must share one dtype.
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceConstructKernel final : public OpKernel {
 public:
  explicit SequenceConstructKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override {
    for (int i = 1; i < ctx.num_inputs(); ++i)
      if (ctx.input(i).dtype() != ctx.input(0).dtype())
        ctx.fail(std::string("all inputs must share one dtype: input 0 is ") +
                 dtype_name(ctx.input(0).dtype()) + ", input " + std::to_string(i) + " is " +
                 dtype_name(ctx.input(i).dtype()));
    outputs_are_values(ctx);
  }
  void run(RunContext& ctx) const override {
    std::vector<Tensor> items;
    for (int i = 0; i < ctx.num_inputs(); ++i) items.push_back(ctx.input(i).clone());
    ctx.set_output_value(0, Value::make_sequence(std::move(items), ctx.input(0).dtype()));
  }
};

}  // namespace
INFERA_REGISTER_OP("SequenceConstruct", SequenceConstructKernel);
}  // namespace infera
