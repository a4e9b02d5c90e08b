// ConstantOfShape: a tensor of the shape given by the input, every element the one-element
// `value` attribute (float32 0 by default).
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ConstantOfShapeKernel final : public OpKernel {
 public:
  explicit ConstantOfShapeKernel(const KernelInit& init) {
    if (const Tensor* v = init.attr_tensor("value")) {
      if (v->numel() != 1)
        init.fail("value must hold exactly one element, got shape " + shape_to_string(v->shape()));
      value_ = v->clone();
    } else {
      value_ = Tensor::scalar<float>(DType::kFloat32, 0.0f);
    }
  }

  void infer(InferContext& ctx) const override {
    if (!ctx.input(0).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, value_.dtype(), target_shape(ctx, ctx.input(0)));
  }

  void run(RunContext& ctx) const override {
    Tensor& y = planned_or_allocated(ctx, 0, value_.dtype(),
                                     [&] { return target_shape(ctx, ctx.input(0)); });
    dispatch_movable(value_.dtype(), [&]<typename T>() {
      const T v = *value_.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = y.numel(); i < n; ++i) out[i] = v;
    });
  }

 private:
  template <typename Ctx>
  static Shape target_shape(const Ctx& ctx, const Tensor& shape) {
    Shape out = read_int_list(shape);
    for (int64_t d : out)
      if (d < 0) ctx.fail("shape " + shape_to_string(out) + " has a negative dim");
    return out;
  }

  Tensor value_;
};

}  // namespace
INFERA_REGISTER_OP("ConstantOfShape", ConstantOfShapeKernel);
}  // namespace infera
