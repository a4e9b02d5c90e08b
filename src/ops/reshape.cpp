// Reshape: same elements, new shape. The target comes from the `shape` attribute (opset < 5)
// or input; 0 copies the input dim (unless allowzero, opset 14) and one -1 is inferred.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ReshapeKernel final : public OpKernel {
 public:
  explicit ReshapeKernel(const KernelInit& init)
      : attr_shape_(init.attr_ints("shape")),
        from_attr_(init.opset() < 5),
        allowzero_(init.attr_int("allowzero", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (from_attr_) {
      ctx.set_output(0, x.dtype(), resolve(ctx, x.shape(), attr_shape_));
    } else if (ctx.input(1).has_data()) {
      ctx.set_output(0, x.dtype(), resolve(ctx, x.shape(), read_int_list(ctx.input(1))));
    } else {
      ctx.set_output_dynamic(0);
    }
  }
  // The bytes do not move: the output may take the input's buffer, and run() then copies nothing.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    ctx.offer_input_buffer(0, 0);
    return nullptr;
  }
  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] {
      return resolve(ctx, x.shape(), from_attr_ ? attr_shape_ : read_int_list(ctx.input(1)));
    });
    copy_unless_aliased(x, y);
  }

 private:
  template <typename Ctx>
  Shape resolve(const Ctx& ctx, const Shape& in, const std::vector<int64_t>& target) const {
    Shape out(target.begin(), target.end());
    int64_t known = 1;
    int infer_at = -1;
    for (size_t d = 0; d < out.size(); ++d) {
      if (out[d] == 0 && !allowzero_) {
        if (d >= in.size())
          ctx.fail("shape entry 0 at index " + std::to_string(d) +
                   " has no input dim to copy from " + shape_to_string(in));
        out[d] = in[d];
      }
      if (out[d] == -1) {
        if (infer_at >= 0) ctx.fail("shape " + shape_to_string(target) + " has more than one -1");
        infer_at = static_cast<int>(d);
      } else if (out[d] < 0) {
        ctx.fail("shape " + shape_to_string(target) + " has a negative entry");
      } else {
        known *= out[d];
      }
    }
    const int64_t total = shape_numel(in);
    if (infer_at >= 0) {
      if (known == 0 || total % known != 0)
        ctx.fail("cannot reshape " + shape_to_string(in) + " to " + shape_to_string(target));
      out[static_cast<size_t>(infer_at)] = total / known;
    } else if (known != total) {
      ctx.fail("cannot reshape " + shape_to_string(in) + " to " + shape_to_string(target));
    }
    return out;
  }

  std::vector<int64_t> attr_shape_;
  bool from_attr_;
  bool allowzero_;
};

}  // namespace
INFERA_REGISTER_OP("Reshape", ReshapeKernel);
}  // namespace infera
