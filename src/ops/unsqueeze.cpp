// Unsqueeze: inserts size-1 dims at the listed output positions. Axes are an attribute before
// opset 13 and a required input since.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class UnsqueezeKernel final : public OpKernel {
 public:
  explicit UnsqueezeKernel(const KernelInit& init)
      : attr_axes_(init.attr_ints("axes")), axes_from_input_(init.opset() >= 13) {
    if (!axes_from_input_ && attr_axes_.empty()) init.fail("missing required attribute 'axes'");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (axes_from_input_ && !ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), unsqueezed(ctx, x.shape(), axes(ctx)));
  }
  // The bytes do not move: the output may take the input's buffer, and run() then copies nothing.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    ctx.offer_input_buffer(0, 0);
    return nullptr;
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(),
                                     [&] { return unsqueezed(ctx, x.shape(), axes(ctx)); });
    copy_unless_aliased(x, y);
  }

 private:
  template <typename Ctx>
  std::vector<int64_t> axes(const Ctx& ctx) const {
    return axes_from_input_ ? read_int_list(ctx.input(1)) : attr_axes_;
  }
  template <typename Ctx>
  static Shape unsqueezed(const Ctx& ctx, const Shape& in, const std::vector<int64_t>& axes) {
    const int64_t out_rank = static_cast<int64_t>(in.size() + axes.size());
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int64_t a : axes) {
      const int64_t d = normalize_axis(a, out_rank, "Unsqueeze axis");
      if (inserted[d]) ctx.fail("axis " + std::to_string(a) + " is listed twice");
      inserted[d] = true;
    }
    Shape out;
    size_t next_in = 0;
    for (int64_t d = 0; d < out_rank; ++d) out.push_back(inserted[d] ? 1 : in[next_in++]);
    return out;
  }

  std::vector<int64_t> attr_axes_;
  bool axes_from_input_;
};

}  // namespace
INFERA_REGISTER_OP("Unsqueeze", UnsqueezeKernel);
}  // namespace infera
