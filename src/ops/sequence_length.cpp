// SequenceLength: the number of tensors in a sequence, as an int64 scalar.
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceLengthKernel final : public OpKernel {
 public:
  explicit SequenceLengthKernel(const KernelInit&) {}
  void infer(InferContext& ctx) const override { ctx.set_output(0, DType::kInt64, {}); }
  void run(RunContext& ctx) const override {
    ctx.output(0).data<int64_t>()[0] = static_cast<int64_t>(sequence_input(ctx, 0).sequence.size());
  }
};

}  // namespace
INFERA_REGISTER_OP("SequenceLength", SequenceLengthKernel);
}  // namespace infera
