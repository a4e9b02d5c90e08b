// SequenceMap: applies its body to each position of the input sequence(s); tensor inputs are
// passed unchanged to every call. Each body output becomes a sequence.
#include "ops/sequence_util.h"
#include "runtime/compiled_graph.h"

namespace infera {
namespace {

class SequenceMapKernel final : public OpKernel {
 public:
  explicit SequenceMapKernel(const KernelInit& init) : body_(init.subgraph("body")) {
    if (body_->num_inputs() != init.num_inputs())
      init.fail("body takes " + std::to_string(body_->num_inputs()) + " inputs, the node gives " +
                std::to_string(init.num_inputs()));
  }
  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }

  void run(RunContext& ctx) const override {
    const size_t n = sequence_input(ctx, 0).sequence.size();
    for (int i = 1; i < ctx.num_inputs(); ++i) {
      const Value& v = ctx.input_value(i);
      if (v.is_sequence() && v.sequence.size() != n)
        ctx.fail("input sequences differ in length: " + std::to_string(n) + " and " +
                 std::to_string(v.sequence.size()));
    }
    std::vector<std::vector<Tensor>> results(static_cast<size_t>(ctx.num_outputs()));
    std::vector<Value> args(static_cast<size_t>(ctx.num_inputs()));
    for (size_t pos = 0; pos < n; ++pos) {
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        const Value& v = ctx.input_value(i);
        args[i] = v.is_sequence() ? Value(v.sequence[pos]) : v;
      }
      std::vector<Value> out = ctx.run_subgraph(*body_, args);
      for (int k = 0; k < ctx.num_outputs(); ++k) results[k].push_back(std::move(out[k].tensor));
    }
    for (int k = 0; k < ctx.num_outputs(); ++k) {
      const TypeInfo& t = body_->output_infos[static_cast<size_t>(k)].type;
      const DType dtype = !results[k].empty() ? results[k][0].dtype() : t.elem_type;
      ctx.set_output_value(k, Value::make_sequence(std::move(results[k]), dtype));
    }
  }

 private:
  std::shared_ptr<const Subgraph> body_;
};

}  // namespace
INFERA_REGISTER_OP("SequenceMap", SequenceMapKernel);
}  // namespace infera
