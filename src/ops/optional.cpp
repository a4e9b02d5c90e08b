// Optional: wraps its input, or makes an empty optional when the input is omitted.
#include "ops/sequence_util.h"

namespace infera {
namespace {

class OptionalKernel final : public OpKernel {
 public:
  explicit OptionalKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override {
    if (!ctx.has_input(0)) {
      ctx.set_output_value(0, Value::none());
      return;
    }
    const Value& v = ctx.input_value(0);
    ctx.set_output_value(0, v.is_tensor() ? Value(v.tensor.clone()) : v);
  }
};

}  // namespace
INFERA_REGISTER_OP("Optional", OptionalKernel);
}  // namespace infera
