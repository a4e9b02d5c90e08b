// SequenceInsert: the sequence with a tensor inserted at a position (default: the end).
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceInsertKernel final : public OpKernel {
 public:
  explicit SequenceInsertKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    const Tensor& item = ctx.input(1);
    if (!seq.sequence.empty() && item.dtype() != seq.sequence_dtype)
      ctx.fail(std::string("cannot insert a ") + dtype_name(item.dtype()) +
               " tensor into a sequence of " + dtype_name(seq.sequence_dtype));
    const int64_t n = static_cast<int64_t>(seq.sequence.size());
    const int64_t p = ctx.has_input(2) ? sequence_position(ctx, ctx.input(2), n, true) : n;
    std::vector<Tensor> items = seq.sequence;
    items.insert(items.begin() + p, item.clone());
    ctx.set_output_value(0, Value::make_sequence(std::move(items), item.dtype()));
  }
};

}  // namespace
INFERA_REGISTER_OP("SequenceInsert", SequenceInsertKernel);
}  // namespace infera
