#include "ops/fused_reference.h"

namespace infera {

namespace {

// Forwards to the fused node's context and remembers the first output's shape, so the fused
// kernel can check its extra input against it.
class RecordingInferContext final : public InferContext {
 public:
  RecordingInferContext(InferContext& outer, const Value* const* inputs, int num_inputs)
      : InferContext(outer.node(), inputs, num_inputs, outer.num_outputs()), outer_(outer) {}
  bool has_output(int i) const override { return outer_.has_output(i); }
  void set_output(int i, DType dtype, Shape shape) override {
    if (i == 0) {
      dtype0 = dtype;
      shape0 = shape;
    }
    outer_.set_output(i, dtype, std::move(shape));
  }
  // The fused kernel post-processes the result, so a known base result is not final.
  void set_output_constant(int i, Tensor value) override {
    set_output(i, value.dtype(), value.shape());
  }
  void set_output_dynamic(int i) override { outer_.set_output_dynamic(i); }
  void set_output_non_tensor(int i) override { outer_.set_output_non_tensor(i); }

  DType dtype0 = DType::kUndefined;
  Shape shape0;

 private:
  InferContext& outer_;
};

}  // namespace

FusedReferenceKernel::FusedReferenceKernel(const KernelInit& init, const std::string& base_op,
                                           int base_inputs, Extra extra)
    : base_inputs_(base_inputs), extra_(extra) {
  const std::string act = init.attr_string("activation", "");
  const std::vector<float> params = init.attr_floats("activation_params");
  if (!FusedActivation::parse(act, params, activation_))
    init.fail("activation '" + act + "' with " + std::to_string(params.size()) +
              " parameter(s) is not one the fused ops know");
  if (init.num_inputs() > base_inputs + (extra == Extra::kNone ? 0 : 1))
    init.fail("takes at most " + std::to_string(base_inputs + (extra == Extra::kNone ? 0 : 1)) +
              " inputs, got " + std::to_string(init.num_inputs()));

  base_node_ = std::make_unique<Node>(init.node());
  base_node_->op_type = base_op;
  base_node_->domain.clear();
  if (static_cast<int>(base_node_->inputs.size()) > base_inputs)
    base_node_->inputs.resize(base_inputs);
  std::erase_if(base_node_->attributes, [](const Attribute& a) {
    return a.name == "activation" || a.name == "activation_params";
  });
  int64_t opset = init.model() ? init.model()->opset_for("") : 0;
  if (opset <= 0) opset = 17;
  const OpRegistration* reg = find_op("", base_op, opset);
  if (!reg)
    init.unsupported("no reference " + base_op + " kernel at opset " + std::to_string(opset));
  std::vector<const Tensor*> constants;
  for (int i = 0; i < base_inputs; ++i) constants.push_back(init.constant_input(i));
  KernelInit base_init(*base_node_, opset, init.model(), nullptr,
                       [constants](int i) { return constants[static_cast<size_t>(i)]; });
  base_ = reg->factory(base_init);
}

void FusedReferenceKernel::infer(InferContext& ctx) const {
  const int n = std::min(ctx.num_inputs(), base_inputs_);
  std::vector<const Value*> inputs(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) inputs[i] = ctx.has_input(i) ? &ctx.input_value(i) : nullptr;
  RecordingInferContext base_ctx(ctx, inputs.data(), n);
  base_->infer(base_ctx);
  if (extra_ == Extra::kNone || !ctx.has_input(base_inputs_)) return;
  const Tensor& extra = ctx.input(base_inputs_);
  if (extra.dtype() != base_ctx.dtype0)
    ctx.fail(std::string("the fused input is ") + dtype_name(extra.dtype()) + " but Y is " +
             dtype_name(base_ctx.dtype0));
  if (extra_ == Extra::kResidual && extra.shape() != base_ctx.shape0)
    ctx.fail("residual Z is " + shape_to_string(extra.shape()) + " but Y is " +
             shape_to_string(base_ctx.shape0) + "; they must match");
  if (extra_ == Extra::kLastDimBias &&
      (extra.rank() != 1 || base_ctx.shape0.empty() || extra.dim(0) != base_ctx.shape0.back()))
    ctx.fail("bias is " + shape_to_string(extra.shape()) + " but must be 1-D over Y's last dim " +
             shape_to_string(base_ctx.shape0));
}

void FusedReferenceKernel::run(RunContext& ctx) const {
  base_->run(ctx);
  Tensor& y = ctx.output(0);
  const Tensor* extra =
      extra_ != Extra::kNone && ctx.has_input(base_inputs_) ? &ctx.input(base_inputs_) : nullptr;
  dispatch_float(y.dtype(), [&]<typename T>() {
    T* out = y.data<T>();
    const int64_t count = y.numel();
    if (extra && extra_ == Extra::kResidual) {
      const T* z = extra->data<T>();
      for (int64_t i = 0; i < count; ++i) out[i] = T(out[i] + z[i]);
    } else if (extra && extra_ == Extra::kLastDimBias) {
      const T* bias = extra->data<T>();
      const int64_t cols = extra->numel();
      for (int64_t i = 0; i < count; ++i) out[i] = T(out[i] + bias[i % cols]);
    }
    activation_.apply(out, count);
  });
}

}  // namespace infera
