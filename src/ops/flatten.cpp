// Flatten: [d0..dn) -> [d0*..*d(axis-1), d(axis)*..*d(n-1)]; the bytes do not move.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class FlattenKernel final : public OpKernel {
 public:
  explicit FlattenKernel(const KernelInit& init) : axis_(init.attr_int("axis", 1)) {}
  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    // axis may equal rank here (everything goes to the outer dim), unlike most ops.
    if (axis_ < -rank || axis_ > rank)
      ctx.fail("axis " + std::to_string(axis_) + " is out of range for input of shape " +
               shape_to_string(x.shape()));
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[d];
    int64_t inner = 1;
    for (int64_t d = axis; d < rank; ++d) inner *= x.shape()[d];
    ctx.set_output(0, x.dtype(), {outer, inner});
  }
  // The bytes do not move: the output may take the input's buffer, and run() then copies nothing.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    ctx.offer_input_buffer(0, 0);
    return nullptr;
  }
  void run(RunContext& ctx) const override { copy_unless_aliased(ctx.input(0), ctx.output(0)); }

 private:
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("Flatten", FlattenKernel);
}  // namespace infera
