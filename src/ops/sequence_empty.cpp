// SequenceEmpty: a sequence with no tensors, of the element type in `dtype`.
#include "ops/sequence_util.h"

namespace infera {
namespace {

class SequenceEmptyKernel final : public OpKernel {
 public:
  explicit SequenceEmptyKernel(const KernelInit& init)
      : dtype_(static_cast<DType>(init.attr_int("dtype", static_cast<int64_t>(DType::kFloat32)))) {}
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }
  void run(RunContext& ctx) const override { ctx.set_output_value(0, Value::make_sequence({}, dtype_)); }

 private:
  DType dtype_;
};

}  // namespace
INFERA_REGISTER_OP("SequenceEmpty", SequenceEmptyKernel);
}  // namespace infera
