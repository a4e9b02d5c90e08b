// Concat: joins inputs along one axis; all other dims must agree.
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ConcatKernel final : public OpKernel {
 public:
  // axis became required in opset 4; before that it defaulted to 1.
  explicit ConcatKernel(const KernelInit& init)
      : axis_(init.opset() < 4 ? init.attr_int("axis", 1) : init.attr_int("axis")) {}

  void infer(InferContext& ctx) const override {
    const Tensor& first = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, first.rank(), "Concat axis");
    Shape out = first.shape();
    out[axis] = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor& x = ctx.input(i);
      if (x.dtype() != first.dtype())
        ctx.fail("input " + std::to_string(i) + " has dtype " + dtype_name(x.dtype()) +
                 ", expected " + dtype_name(first.dtype()) + " like input 0");
      bool fits = x.rank() == first.rank();
      for (int d = 0; fits && d < x.rank(); ++d) fits = d == axis || x.dim(d) == first.dim(d);
      if (!fits)
        ctx.fail("input " + std::to_string(i) + " has shape " + shape_to_string(x.shape()) +
                 ", which does not match input 0's " + shape_to_string(first.shape()) +
                 " outside axis " + std::to_string(axis));
      out[axis] += x.dim(static_cast<int>(axis));
    }
    ctx.set_output(0, first.dtype(), out);
  }

  void run(RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int axis = static_cast<int>(normalize_axis(axis_, y.rank(), "Concat axis"));
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= y.dim(d);
    int64_t inner = 1;
    for (int d = axis + 1; d < y.rank(); ++d) inner *= y.dim(d);
    const int64_t out_row = y.dim(axis) * inner;
    dispatch_movable(y.dtype(), [&]<typename T>() {
      T* out = y.data<T>();
      int64_t column = 0;  // where this input's block starts within each output row
      for (int i = 0; i < ctx.num_inputs(); ++i) {
        const Tensor& x = ctx.input(i);
        const int64_t row = x.dim(axis) * inner;
        const T* in = x.data<T>();
        for (int64_t o = 0; o < outer; ++o)
          std::copy(in + o * row, in + (o + 1) * row, out + o * out_row + column);
        column += row;
      }
    });
  }

 private:
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("Concat", ConcatKernel);
}  // namespace infera
