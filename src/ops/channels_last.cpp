#include "ops/channels_last.h"

#include <cstring>

#include "ops/staged_run_context.h"

namespace infera {

Shape channels_last_shape(const Shape& s) {
  if (s.size() < 3) return s;
  Shape out{s[0]};
  out.insert(out.end(), s.begin() + 2, s.end());
  out.push_back(s[1]);
  return out;
}

Shape channels_first_shape(const Shape& s) {
  if (s.size() < 3) return s;
  Shape out{s[0], s.back()};
  out.insert(out.end(), s.begin() + 1, s.end() - 1);
  return out;
}

void transpose_channels(const Tensor& src, Tensor& dst, bool to_last) {
  const Shape& first = to_last ? src.shape() : dst.shape();
  const int64_t batch = first.empty() ? 0 : first[0];
  const int64_t channels = first.size() < 2 ? 1 : first[1];
  const int64_t plane = batch * channels == 0 ? 0 : src.numel() / (batch * channels);
  const size_t elem = dtype_size(src.dtype());
  const char* in = static_cast<const char*>(src.raw());
  char* out = static_cast<char*>(dst.raw());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t p = 0; p < plane; ++p) {
        const int64_t at_first = (n * channels + c) * plane + p;
        const int64_t at_last = (n * plane + p) * channels + c;
        std::memcpy(out + elem * (to_last ? at_last : at_first),
                    in + elem * (to_last ? at_first : at_last), elem);
      }
}

namespace {

Tensor to_channels_first(const Tensor& t) {
  if (!t.has_data() || t.rank() < 3)
    return Tensor::meta(t.dtype(), channels_first_shape(t.shape()));
  Tensor out = Tensor::empty(t.dtype(), channels_first_shape(t.shape()));
  transpose_channels(t, out, false);
  return out;
}

// The base kernel's view at shape inference: channels-first inputs; output 0 goes back to
// channels-last on its way out.
class ChannelsFirstInferContext final : public InferContext {
 public:
  ChannelsFirstInferContext(InferContext& outer, const Value* const* inputs)
      : InferContext(outer.node(), inputs, outer.num_inputs(), outer.num_outputs()),
        outer_(outer) {}
  bool has_output(int i) const override { return outer_.has_output(i); }
  void set_output(int i, DType dtype, Shape shape) override {
    outer_.set_output(i, dtype, i == 0 ? channels_last_shape(shape) : std::move(shape));
  }
  void set_output_constant(int i, Tensor value) override {
    if (i != 0 || value.rank() < 3) return outer_.set_output_constant(i, std::move(value));
    Tensor last = Tensor::empty(value.dtype(), channels_last_shape(value.shape()));
    transpose_channels(value, last, true);
    outer_.set_output_constant(i, std::move(last));
  }
  void set_output_dynamic(int i) override { outer_.set_output_dynamic(i); }
  void set_output_non_tensor(int i) override { outer_.set_output_non_tensor(i); }

 private:
  InferContext& outer_;
};


}  // namespace

ChannelsLastReferenceKernel::ChannelsLastReferenceKernel(const KernelInit& init,
                                                         std::unique_ptr<Node> base,
                                                         std::vector<int> layout_inputs)
    : base_node_(std::move(base)), layout_inputs_(std::move(layout_inputs)) {
  int64_t opset = init.model() ? init.model()->opset_for(base_node_->domain) : 0;
  if (opset <= 0) opset = base_node_->domain.empty() ? 17 : 1;
  const OpRegistration* reg = find_op(base_node_->domain, base_node_->op_type, opset);
  if (!reg)
    init.unsupported("no reference " + base_node_->op_type + " kernel at opset " +
                     std::to_string(opset));
  std::vector<const Tensor*> constants;
  for (int i = 0; i < init.num_inputs(); ++i) constants.push_back(init.constant_input(i));
  KernelInit base_init(*base_node_, opset, init.model(), nullptr,
                       [constants](int i) { return constants[static_cast<size_t>(i)]; });
  base_ = reg->factory(base_init);
}

bool ChannelsLastReferenceKernel::is_layout_input(int i) const {
  for (int k : layout_inputs_)
    if (k == i) return true;
  return false;
}

void ChannelsLastReferenceKernel::infer(InferContext& ctx) const {
  std::vector<Value> staged(static_cast<size_t>(ctx.num_inputs()));
  std::vector<const Value*> inputs(staged.size(), nullptr);
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    if (!is_layout_input(i)) {
      inputs[i] = &ctx.input_value(i);
      continue;
    }
    const Tensor& t = ctx.input(i);
    if (t.rank() < 3)
      ctx.fail("channels-last input " + std::to_string(i) + " is " + shape_to_string(t.shape()) +
               "; it needs rank 3 or more");
    staged[i] = Value(to_channels_first(t));
    inputs[i] = &staged[i];
  }
  ChannelsFirstInferContext base_ctx(ctx, inputs.data());
  base_->infer(base_ctx);
}

template <typename Context>
size_t ChannelsLastReferenceKernel::staged_bytes(Context& ctx) const {
  size_t total = StagedTensors::scratch_bytes({ctx.output(0).nbytes()});
  for (int i : layout_inputs_)
    if (ctx.has_input(i)) total += StagedTensors::aligned(ctx.input(i).nbytes());
  return total;
}

// Room for the staged channels-first inputs and output, so planned runs do not allocate.
std::shared_ptr<void> ChannelsLastReferenceKernel::prepare(PrepareContext& ctx) const {
  ctx.request_scratch(staged_bytes(ctx));
  return nullptr;
}

void ChannelsLastReferenceKernel::run(RunContext& ctx) const {
  Tensor& y = ctx.output(0);
  StagedTensors memory(ctx, staged_bytes(ctx));
  std::vector<Value> staged(static_cast<size_t>(ctx.num_inputs()));
  for (int i : layout_inputs_) {
    if (!ctx.has_input(i)) continue;
    const Tensor& x = ctx.input(i);
    Tensor first = memory.carve(x.dtype(), channels_first_shape(x.shape()));
    transpose_channels(x, first, false);
    staged[static_cast<size_t>(i)] = Value(first);
  }
  Tensor y_first = memory.carve(y.dtype(), channels_first_shape(y.shape()));
  StagedRunContext base_ctx(ctx, std::move(staged), y_first);
  base_->run(base_ctx);
  transpose_channels(y_first, y, true);
}

std::unique_ptr<OpKernel> make_channels_last_reference(const KernelInit& init,
                                                       const std::string& base_op,
                                                       std::vector<int> layout_inputs) {
  auto base = std::make_unique<Node>(init.node());
  base->op_type = base_op;
  base->domain = base_op == "FusedConv" ? "com.infera" : "";
  std::erase_if(base->attributes, [](const Attribute& a) { return a.name == "channels_last"; });
  return std::make_unique<ChannelsLastReferenceKernel>(init, std::move(base),
                                                       std::move(layout_inputs));
}

}  // namespace infera
