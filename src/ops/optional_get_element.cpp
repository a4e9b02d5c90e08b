// OptionalGetElement: the value inside an optional (a plain input passes through).
#include "ops/sequence_util.h"

namespace infera {
namespace {

class OptionalGetElementKernel final : public OpKernel {
 public:
  explicit OptionalGetElementKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override {
    const Value& v = ctx.input_value(0);
    if (v.is_none()) ctx.fail("the optional input is empty");
    ctx.set_output_value(0, v.is_tensor() ? Value(v.tensor.clone()) : v);
  }
};

}  // namespace
INFERA_REGISTER_OP("OptionalGetElement", OptionalGetElementKernel);
}  // namespace infera
