// Squeeze: drops size-1 dims, the listed ones or all. Axes are an attribute before opset 13
// and an optional input since.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class SqueezeKernel final : public OpKernel {
 public:
  explicit SqueezeKernel(const KernelInit& init)
      : attr_axes_(init.attr_ints("axes")), axes_from_input_(init.opset() >= 13) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (axes_from_input_ && !inputs_known(ctx, {1})) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), squeezed(ctx, x.shape(), axes(ctx)));
  }
  // The bytes do not move: the output may take the input's buffer, and run() then copies nothing.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    ctx.offer_input_buffer(0, 0);
    return nullptr;
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(),
                                     [&] { return squeezed(ctx, x.shape(), axes(ctx)); });
    copy_unless_aliased(x, y);
  }

 private:
  template <typename Ctx>
  std::vector<int64_t> axes(const Ctx& ctx) const {
    return axes_from_input_ ? optional_int_list(ctx, 1) : attr_axes_;
  }
  template <typename Ctx>
  static Shape squeezed(const Ctx& ctx, const Shape& in, const std::vector<int64_t>& axes) {
    const int64_t rank = static_cast<int64_t>(in.size());
    std::vector<bool> drop(in.size(), axes.empty());
    if (axes.empty()) {
      for (size_t d = 0; d < in.size(); ++d) drop[d] = in[d] == 1;
    }
    for (int64_t a : axes) {
      const int64_t d = normalize_axis(a, rank, "Squeeze axis");
      if (in[d] != 1)
        ctx.fail("cannot squeeze axis " + std::to_string(a) + " of shape " + shape_to_string(in) +
                 ": its size is not 1");
      drop[d] = true;
    }
    Shape out;
    for (size_t d = 0; d < in.size(); ++d)
      if (!drop[d]) out.push_back(in[d]);
    return out;
  }

  std::vector<int64_t> attr_axes_;
  bool axes_from_input_;
};

}  // namespace
INFERA_REGISTER_OP("Squeeze", SqueezeKernel);
}  // namespace infera
