// OptionalHasElement: whether an optional input holds a value.
#include "ops/sequence_util.h"

namespace infera {
namespace {

class OptionalHasElementKernel final : public OpKernel {
 public:
  explicit OptionalHasElementKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { ctx.set_output(0, DType::kBool, {}); }
  void run(RunContext& ctx) const override {
    ctx.output(0).data<bool>()[0] = ctx.has_input(0) && !ctx.input_value(0).is_none();
  }
};

}  // namespace
INFERA_REGISTER_OP("OptionalHasElement", OptionalHasElementKernel);
}  // namespace infera
