// Scan: iterates its body over slices of the scan inputs, carrying state values from one
// iteration to the next and stacking the per-iteration scan outputs.
//
// Opset 9+ scans along `scan_input_axes` of unbatched tensors. Opset 8 has a leading batch
// axis on every input and output, scans along axis 1, and takes optional sequence_lens first;
// it is run as one opset-9 scan per batch entry.
#include "ops/op_util.h"
#include "ops/slice_stack_util.h"
#include "runtime/compiled_graph.h"

namespace infera {
namespace {

class ScanKernel final : public OpKernel {
 public:
  explicit ScanKernel(const KernelInit& init)
      : body_(init.subgraph("body")),
        batched_(init.opset() < 9),
        num_scan_inputs_(init.attr_int("num_scan_inputs")) {
    const int data_inputs = init.num_inputs() - (batched_ ? 1 : 0);
    num_states_ = data_inputs - static_cast<int>(num_scan_inputs_);
    if (num_states_ < 0) init.fail("num_scan_inputs exceeds the number of inputs");
    num_scan_outputs_ = body_->num_outputs() - num_states_;
    input_axes_ = init.attr_ints("scan_input_axes", std::vector<int64_t>(num_scan_inputs_, 0));
    input_reverse_ = init.attr_ints(batched_ ? "directions" : "scan_input_directions",
                                    std::vector<int64_t>(num_scan_inputs_, 0));
    output_axes_ = init.attr_ints("scan_output_axes", std::vector<int64_t>(num_scan_outputs_, 0));
    output_reverse_ = init.attr_ints("scan_output_directions",
                                     std::vector<int64_t>(num_scan_outputs_, 0));
    if (static_cast<int64_t>(input_axes_.size()) != num_scan_inputs_ ||
        static_cast<int64_t>(input_reverse_.size()) != num_scan_inputs_ ||
        static_cast<int>(output_axes_.size()) != num_scan_outputs_ ||
        static_cast<int>(output_reverse_.size()) != num_scan_outputs_)
      init.fail("scan axes/directions attributes do not match the number of scan inputs/outputs");
  }

  void infer(InferContext& ctx) const override {
    for (int i = 0; i < ctx.num_outputs(); ++i)
      if (ctx.has_output(i)) ctx.set_output_non_tensor(i);
  }

  void run(RunContext& ctx) const override {
    const int first = batched_ ? 1 : 0;
    std::vector<Tensor> states, scans;
    for (int k = 0; k < num_states_; ++k) states.push_back(ctx.input(first + k));
    for (int k = 0; k < num_scan_inputs_; ++k) scans.push_back(ctx.input(first + num_states_ + k));
    std::vector<Tensor> results;
    if (!batched_) {
      results = scan_once(ctx, states, scans, -1);
    } else {
      const int64_t batch = scans.empty() ? 1 : scans[0].dim(0);
      std::vector<std::vector<Tensor>> per_batch(static_cast<size_t>(num_states_ + num_scan_outputs_));
      for (int64_t b = 0; b < batch; ++b) {
        std::vector<Tensor> s, x;
        for (const Tensor& t : states) s.push_back(take_slice(t, 0, b));
        for (const Tensor& t : scans) x.push_back(take_slice(t, 0, b));
        const int64_t len = ctx.has_input(0) ? read_scalar_int(ctx.input(0), b) : -1;
        std::vector<Tensor> r = scan_once(ctx, s, x, len);
        for (size_t k = 0; k < r.size(); ++k) per_batch[k].push_back(std::move(r[k]));
      }
      for (auto& items : per_batch) results.push_back(stack_tensors(items, 0, DType::kFloat32, {}));
    }
    for (int k = 0; k < ctx.num_outputs() && k < static_cast<int>(results.size()); ++k)
      ctx.set_output_value(k, Value(std::move(results[k])));
  }

 private:
  // One unbatched scan; `length` < 0 means the full scan-axis extent.
  std::vector<Tensor> scan_once(RunContext& ctx, const std::vector<Tensor>& initial,
                                const std::vector<Tensor>& scan_inputs, int64_t length) const {
    std::vector<int64_t> axes(scan_inputs.size());
    int64_t steps = -1;
    for (size_t k = 0; k < scan_inputs.size(); ++k) {
      axes[k] = normalize_axis(input_axes_[k], scan_inputs[k].rank(), "scan_input_axes");
      const int64_t n = scan_inputs[k].dim(static_cast<int>(axes[k]));
      if (steps >= 0 && n != steps)
        ctx.fail("scan inputs have different lengths: " + std::to_string(steps) + " and " +
                 std::to_string(n));
      steps = n;
    }
    if (length >= 0) steps = std::min(steps, length);
    std::vector<Value> state(initial.begin(), initial.end());
    std::vector<std::vector<Tensor>> outs(static_cast<size_t>(num_scan_outputs_));
    std::vector<Value> body_inputs(state.size() + scan_inputs.size());
    for (int64_t t = 0; t < steps; ++t) {
      for (size_t k = 0; k < state.size(); ++k) body_inputs[k] = state[k];
      for (size_t k = 0; k < scan_inputs.size(); ++k) {
        const int64_t at = input_reverse_[k] ? steps - 1 - t : t;
        body_inputs[state.size() + k] = Value(take_slice(scan_inputs[k], axes[k], at));
      }
      std::vector<Value> out = ctx.run_subgraph(*body_, body_inputs);
      for (size_t k = 0; k < state.size(); ++k) state[k] = std::move(out[k]);
      for (int k = 0; k < num_scan_outputs_; ++k)
        outs[k].push_back(std::move(out[state.size() + k].tensor));
    }
    std::vector<Tensor> results;
    for (Value& v : state) results.push_back(std::move(v.tensor));
    for (int k = 0; k < num_scan_outputs_; ++k) {
      if (output_reverse_[k]) std::reverse(outs[k].begin(), outs[k].end());
      const int64_t rank = outs[k].empty() ? 0 : outs[k][0].rank();
      const int64_t axis = normalize_axis(output_axes_[k], rank + 1, "scan_output_axes");
      results.push_back(stack_tensors(outs[k], axis, DType::kFloat32, {}));
    }
    return results;
  }

  std::shared_ptr<const Subgraph> body_;
  bool batched_;
  int64_t num_scan_inputs_;
  int num_states_ = 0;
  int num_scan_outputs_ = 0;
  std::vector<int64_t> input_axes_, input_reverse_, output_axes_, output_reverse_;
};

}  // namespace
INFERA_REGISTER_OP("Scan", ScanKernel);
}  // namespace infera
