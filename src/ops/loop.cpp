// Loop: runs its body while the trip count and the condition allow, threading loop-carried
// values through and stacking each iteration's scan outputs along a new first axis.
#include "ops/op_util.h"
#include "ops/slice_stack_util.h"
#include "runtime/compiled_graph.h"

namespace infera {
namespace {

class LoopKernel final : public OpKernel {
 public:
  explicit LoopKernel(const KernelInit& init) : body_(init.subgraph("body")) {
    const int carried = init.num_inputs() - 2;
    if (carried < 0) init.fail("needs the inputs M and cond (either may be empty)");
    if (body_->num_inputs() != carried + 2)
      init.fail("body takes " + std::to_string(body_->num_inputs()) + " inputs, expected " +
                std::to_string(carried + 2));
    if (body_->num_outputs() < carried + 1)
      init.fail("body gives " + std::to_string(body_->num_outputs()) + " outputs, expected at least " +
                std::to_string(carried + 1));
  }

  void infer(InferContext& ctx) const override {
    for (int i = 0; i < ctx.num_outputs(); ++i)
      if (ctx.has_output(i)) ctx.set_output_non_tensor(i);
  }

  void run(RunContext& ctx) const override {
    const int carried = ctx.num_inputs() - 2;
    const int scans = body_->num_outputs() - 1 - carried;
    const bool has_limit = ctx.has_input(0);
    const int64_t limit = has_limit ? read_scalar_int(ctx.input(0)) : 0;
    bool cond = ctx.has_input(1) ? read_scalar_int(ctx.input(1)) != 0 : true;

    std::vector<Value> state(static_cast<size_t>(carried));
    for (int k = 0; k < carried; ++k) state[k] = ctx.input_value(2 + k);
    std::vector<std::vector<Tensor>> scan_items(static_cast<size_t>(scans));

    std::vector<Value> body_inputs(static_cast<size_t>(carried + 2));
    for (int64_t iter = 0; (!has_limit || iter < limit) && cond; ++iter) {
      body_inputs[0] = Value(Tensor::scalar<int64_t>(DType::kInt64, iter));
      body_inputs[1] = Value(Tensor::scalar<bool>(DType::kBool, cond));
      for (int k = 0; k < carried; ++k) body_inputs[2 + k] = state[k];
      std::vector<Value> out = ctx.run_subgraph(*body_, body_inputs);
      cond = read_scalar_int(out[0].tensor) != 0;
      for (int k = 0; k < carried; ++k) state[k] = std::move(out[1 + k]);
      for (int k = 0; k < scans; ++k) scan_items[k].push_back(std::move(out[1 + carried + k].tensor));
    }
    for (int k = 0; k < carried; ++k) ctx.set_output_value(k, std::move(state[k]));
    for (int k = 0; k < scans; ++k) {
      if (!ctx.has_output(carried + k)) continue;
      const TypeInfo& t = body_->output_infos[static_cast<size_t>(1 + carried + k)].type;
      const DType dtype = t.elem_type == DType::kUndefined ? DType::kFloat32 : t.elem_type;
      ctx.set_output_value(carried + k, Value(stack_tensors(scan_items[k], 0, dtype, {})));
    }
  }

 private:
  std::shared_ptr<const Subgraph> body_;
};

}  // namespace
INFERA_REGISTER_OP("Loop", LoopKernel);
}  // namespace infera
