// SequenceAt: the tensor at a position (negative counts from the end).
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceAtKernel final : public OpKernel {
 public:
  explicit SequenceAtKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    const int64_t p = sequence_position(ctx, ctx.input(1), n, false);
    // Sequence elements are owned and never written again, so the output can share them.
    ctx.set_output_value(0, Value(seq.sequence[static_cast<size_t>(p)]));
  }
};

}  // namespace
INFERA_REGISTER_OP("SequenceAt", SequenceAtKernel);
}  // namespace infera
