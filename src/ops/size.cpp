// Size: the input's element count as an int64 scalar.
#include "ops/movement.h"

namespace infera {
namespace {

class SizeKernel final : public OpKernel {
 public:
  explicit SizeKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override {
    ctx.set_output_constant(0, Tensor::scalar<int64_t>(DType::kInt64, ctx.input(0).numel()));
  }
  void run(RunContext& ctx) const override {
    *ctx.output(0).data<int64_t>() = ctx.input(0).numel();
  }
};

}  // namespace
INFERA_REGISTER_OP("Size", SizeKernel);
}  // namespace infera
