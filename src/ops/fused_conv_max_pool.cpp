// com.infera FusedConvMaxPool (reference kernel), made by the conv_max_pool_fusion rewrite
// (src/opt/conv_max_pool_fusion.cpp): Y = MaxPool(FusedConv(X, W, B)) with a 2x2 window and
// stride 2 (no padding, floor), X and Y channels-last. It takes FusedConv's inputs (no residual
// Z) and attributes, `channels_last` included, which must be 1.
//
// The fast kernel (src/ops/cpu/conv_nhwc_small_cin_f32.cpp) never writes the full-resolution
// conv output. This one does, into scratch: it runs the FusedConv and NhwcMaxPool reference
// kernels one after the other, so it is exactly as correct as they are.
#include <cstdint>

#include "ops/op.h"

namespace infera {
namespace {

// Captures a stage's output 0 (the intermediate conv result, or Y on its way out).
class StageInferContext final : public InferContext {
 public:
  StageInferContext(const Node& node, const Value* const* inputs, int num_inputs,
                    InferContext* outer)
      : InferContext(node, inputs, num_inputs, 1), outer_(outer) {}
  bool has_output(int i) const override { return i == 0; }
  void set_output(int, DType d, Shape s) override {
    dtype = d;
    shape = s;
    if (outer_) outer_->set_output(0, d, std::move(s));
  }
  void set_output_constant(int i, Tensor value) override {
    set_output(i, value.dtype(), value.shape());
  }
  void set_output_dynamic(int) override { fail("the conv's output shape must not be dynamic"); }
  void set_output_non_tensor(int) override { fail("the conv's output must be a tensor"); }

  DType dtype = DType::kUndefined;
  Shape shape;

 private:
  InferContext* outer_;
};

class StagePrepareContext final : public PrepareContext {
 public:
  StagePrepareContext(PrepareContext& outer, const Tensor* input0, const Tensor& output)
      : outer_(outer), input0_(input0), output_(output) {}
  int num_inputs() const override { return input0_ ? 1 : outer_.num_inputs(); }
  bool has_input(int i) const override { return input0_ ? i == 0 : outer_.has_input(i); }
  const Tensor& input(int i) const override { return input0_ ? *input0_ : outer_.input(i); }
  int num_outputs() const override { return 1; }
  const Tensor& output(int) const override { return output_; }
  void request_scratch(size_t bytes) override { scratch_bytes = bytes; }
  // The stages' inputs and outputs are not the planner's to place: offers are declined.
  void offer_input_buffer(int, int) override {}
  const KernelConfig& config() const override { return outer_.config(); }
  size_t scratch_bytes = 0;

 private:
  PrepareContext& outer_;
  const Tensor* input0_;  // the pool's input (the conv's output); null: the outer inputs
  const Tensor& output_;
};

class StageRunContext final : public RunContext {
 public:
  StageRunContext(RunContext& outer, const Value* input0, Tensor& output, void* state,
                  void* scratch)
      : outer_(outer), input0_(input0), output_(output), state_(state), scratch_(scratch) {}
  int num_inputs() const override { return input0_ ? 1 : outer_.num_inputs(); }
  bool has_input(int i) const override { return input0_ ? i == 0 : outer_.has_input(i); }
  const Value& input_value(int i) const override {
    return input0_ ? *input0_ : outer_.input_value(i);
  }
  int num_outputs() const override { return 1; }
  bool has_output(int i) const override { return i == 0; }
  Tensor& output(int) override { return output_; }
  Tensor& allocate_output(int, DType, const Shape&) override {
    fail("a fused conv and pool has no dynamic output");
  }
  void set_output_value(int, Value) override { fail("a fused conv and pool has no sequences"); }
  std::vector<Value> run_subgraph(const Subgraph& g, const std::vector<Value>& in) override {
    return outer_.run_subgraph(g, in);
  }
  const Node& node() const override { return outer_.node(); }
  void* node_state() const override { return state_; }
  void* scratch() const override { return scratch_; }
  int threads() const override { return outer_.threads(); }

 private:
  RunContext& outer_;
  const Value* input0_;
  Tensor& output_;
  void* state_;
  void* scratch_;
};

size_t aligned(size_t bytes) {
  return (bytes + 63) / 64 * 64;
}

// What prepare() learns for one input shape: the conv's output, and each stage's state and
// scratch, laid out after the conv's output in this node's scratch.
struct Plan {
  DType dtype = DType::kUndefined;
  Shape conv_shape;
  std::shared_ptr<void> conv_state, pool_state;
  size_t conv_bytes = 0, conv_scratch = 0, pool_scratch = 0;
  size_t total() const { return aligned(conv_bytes) + aligned(conv_scratch) + pool_scratch + 64; }
};

class FusedConvMaxPoolKernel final : public OpKernel {
 public:
  explicit FusedConvMaxPoolKernel(const KernelInit& init)
      : conv_node_(std::make_unique<Node>(init.node())), pool_node_(std::make_unique<Node>()) {
    if (init.attr_int("channels_last", 0) != 1) init.fail("channels_last must be 1");
    if (init.num_inputs() > 3) init.fail("takes X, W and B only (no residual Z)");
    conv_node_->op_type = "FusedConv";
    conv_node_->outputs = {init.node().outputs[0] + "_conv"};
    pool_node_->op_type = "NhwcMaxPool";
    pool_node_->domain = "com.infera";
    pool_node_->name = init.node().name + "_pool";
    pool_node_->inputs = conv_node_->outputs;
    pool_node_->outputs = {init.node().outputs[0]};
    for (const char* name : {"kernel_shape", "strides"}) {
      Attribute two_by_two;
      two_by_two.name = name;
      two_by_two.type = Attribute::Type::kInts;
      two_by_two.ints = {2, 2};
      pool_node_->attributes.push_back(std::move(two_by_two));
    }
    auto constants = [&init](int i) { return init.constant_input(i); };
    conv_ = make(*conv_node_, init, constants);
    pool_ = make(*pool_node_, init, [](int) -> const Tensor* { return nullptr; });
  }

  void infer(InferContext& ctx) const override {
    std::vector<const Value*> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i)
      inputs.push_back(ctx.has_input(i) ? &ctx.input_value(i) : nullptr);
    StageInferContext conv_ctx(*conv_node_, inputs.data(), ctx.num_inputs(), nullptr);
    conv_->infer(conv_ctx);
    const Value conv_out(Tensor::meta(conv_ctx.dtype, conv_ctx.shape));
    const Value* pool_in = &conv_out;
    StageInferContext pool_ctx(*pool_node_, &pool_in, 1, &ctx);
    pool_->infer(pool_ctx);
  }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    auto plan = std::make_shared<Plan>();
    std::vector<Value> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i)
      inputs.push_back(ctx.has_input(i) ? Value(ctx.input(i)) : Value());
    std::vector<const Value*> pointers;
    for (const Value& v : inputs) pointers.push_back(v.tensor.defined() ? &v : nullptr);
    StageInferContext conv_ctx(*conv_node_, pointers.data(), ctx.num_inputs(), nullptr);
    conv_->infer(conv_ctx);
    plan->dtype = conv_ctx.dtype;
    plan->conv_shape = conv_ctx.shape;
    const Tensor conv_out = Tensor::meta(plan->dtype, plan->conv_shape);
    plan->conv_bytes = conv_out.nbytes();
    StagePrepareContext conv_prep(ctx, nullptr, conv_out);
    plan->conv_state = conv_->prepare(conv_prep);
    plan->conv_scratch = conv_prep.scratch_bytes;
    StagePrepareContext pool_prep(ctx, &conv_out, ctx.output(0));
    plan->pool_state = pool_->prepare(pool_prep);
    plan->pool_scratch = pool_prep.scratch_bytes;
    ctx.request_scratch(plan->total());
    return plan;
  }

  void run(RunContext& ctx) const override {
    const auto* plan = static_cast<const Plan*>(ctx.node_state());
    if (!plan) return run_unplanned(ctx);
    execute(*plan, ctx, static_cast<char*>(ctx.scratch()));
  }

 private:
  static std::unique_ptr<OpKernel> make(const Node& node, const KernelInit& init,
                                        KernelInit::ConstantLookup constants) {
    const OpRegistration* reg = find_op(node.domain, node.op_type, 1);
    if (!reg) init.unsupported("no reference " + node.op_type + " kernel");
    KernelInit stage(node, 1, init.model(), nullptr, std::move(constants), &init.config());
    return reg->factory(stage);
  }

  // Dynamic or folded node: shape inference and scratch allocate, which is allowed here.
  void run_unplanned(RunContext& ctx) const {
    Plan plan;
    std::vector<const Value*> inputs;
    for (int i = 0; i < ctx.num_inputs(); ++i)
      inputs.push_back(ctx.has_input(i) ? &ctx.input_value(i) : nullptr);
    StageInferContext conv_ctx(*conv_node_, inputs.data(), ctx.num_inputs(), nullptr);
    conv_->infer(conv_ctx);
    plan.dtype = conv_ctx.dtype;
    plan.conv_shape = conv_ctx.shape;
    plan.conv_bytes = Tensor::meta(plan.dtype, plan.conv_shape).nbytes();
    std::vector<char> scratch(plan.total());
    execute(plan, ctx, scratch.data());
  }

  void execute(const Plan& plan, RunContext& ctx, char* scratch) const {
    char* base = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(scratch) + 63) / 64 * 64);
    char* conv_scratch = base + aligned(plan.conv_bytes);
    char* pool_scratch = conv_scratch + aligned(plan.conv_scratch);
    Tensor conv_out(plan.dtype, plan.conv_shape, base);
    StageRunContext conv_ctx(ctx, nullptr, conv_out, plan.conv_state.get(),
                             plan.conv_scratch ? conv_scratch : nullptr);
    conv_->run(conv_ctx);
    const Value pool_in(conv_out);
    StageRunContext pool_ctx(ctx, &pool_in, ctx.output(0), plan.pool_state.get(),
                             plan.pool_scratch ? pool_scratch : nullptr);
    pool_->run(pool_ctx);
  }

  std::unique_ptr<Node> conv_node_, pool_node_;  // the stage kernels refer to them
  std::unique_ptr<OpKernel> conv_, pool_;
};

}  // namespace

INFERA_REGISTER_OP_RANGE("com.infera", "FusedConvMaxPool", 1, 1000, FusedConvMaxPoolKernel);

}  // namespace infera
