// Compress: keeps the slices along `axis` whose condition entry is true (the input flattened
// when there is no axis). Entries past the end of a short condition count as false.
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

int64_t count_selected(const Tensor& condition, int64_t dim) {
  const int64_t n = std::min(condition.numel(), dim);
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += condition.data<bool>()[i] ? 1 : 0;
  return count;
}

class CompressKernel final : public OpKernel {
 public:
  explicit CompressKernel(const KernelInit& init)
      : has_axis_(init.has_attr("axis")), axis_(init.attr_int("axis", 0)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    if (condition.dtype() != DType::kBool || condition.rank() != 1)
      ctx.fail("condition must be a 1-D bool tensor, got " +
               std::string(dtype_name(condition.dtype())) + shape_to_string(condition.shape()));
    if (has_axis_) normalize_axis(axis_, x.rank(), "Compress axis");
    if (!condition.has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), output_shape(x, condition));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& condition = ctx.input(1);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] { return output_shape(x, condition); });
    int64_t outer = 1, dim = x.numel(), inner = 1;
    if (has_axis_) {
      const int axis = static_cast<int>(normalize_axis(axis_, x.rank(), "Compress axis"));
      for (int d = 0; d < axis; ++d) outer *= x.dim(d);
      dim = x.dim(axis);
      for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    }
    const int64_t kept = std::min(condition.numel(), dim);
    const bool* keep = condition.data<bool>();
    dispatch_movable(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < kept; ++i) {
          if (!keep[i]) continue;
          const T* src = in + (o * dim + i) * inner;
          out = std::copy(src, src + inner, out);
        }
      }
    });
  }

 private:
  Shape output_shape(const Tensor& x, const Tensor& condition) const {
    if (!has_axis_) return {count_selected(condition, x.numel())};
    const int64_t axis = normalize_axis(axis_, x.rank(), "Compress axis");
    Shape out = x.shape();
    out[axis] = count_selected(condition, x.shape()[axis]);
    return out;
  }

  bool has_axis_;
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("Compress", CompressKernel);
}  // namespace infera
