// SequenceErase: the sequence without the tensor at a position (default: the last).
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceEraseKernel final : public OpKernel {
 public:
  explicit SequenceEraseKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    const int64_t p = ctx.has_input(1) ? sequence_position(ctx, ctx.input(1), n, false) : n - 1;
    if (n == 0) ctx.fail("cannot erase from an empty sequence");
    std::vector<Tensor> items = seq.sequence;
    items.erase(items.begin() + p);
    ctx.set_output_value(0, Value::make_sequence(std::move(items), seq.sequence_dtype));
  }
};

}  // namespace
INFERA_REGISTER_OP("SequenceErase", SequenceEraseKernel);
}  // namespace infera
