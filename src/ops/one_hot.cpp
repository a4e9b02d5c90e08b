// OneHot: inserts a new dim of size `depth` at `axis`; along it, position indices[...] holds
// values[1] and every other position values[0]. Negative indices count from depth; indices
// outside [-depth, depth) give an all-off row.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

template <typename Ctx>
int64_t read_depth(const Ctx& ctx) {
  const Tensor& depth = ctx.input(1);
  if (depth.numel() != 1)
    ctx.fail("depth must hold one value, got shape " + shape_to_string(depth.shape()));
  const double d = read_scalar_double(depth);
  if (!(d >= 1)) ctx.fail("depth must be positive, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}

class OneHotKernel final : public OpKernel {
 public:
  explicit OneHotKernel(const KernelInit& init) : axis_(init.attr_int("axis", -1)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& values = ctx.input(2);
    if (values.numel() != 2)
      ctx.fail("values must hold [off, on], got shape " + shape_to_string(values.shape()));
    normalize_axis(axis_, ctx.input(0).rank() + 1, "OneHot axis");
    if (!ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, values.dtype(), output_shape(ctx.input(0).shape(), read_depth(ctx)));
  }

  void run(RunContext& ctx) const override {
    const Tensor& indices = ctx.input(0);
    const Tensor& values = ctx.input(2);
    const int64_t depth = read_depth(ctx);
    Tensor& y = planned_or_allocated(ctx, 0, values.dtype(),
                                     [&] { return output_shape(indices.shape(), depth); });
    const int axis = static_cast<int>(normalize_axis(axis_, indices.rank() + 1, "OneHot axis"));
    int64_t outer = 1, inner = 1;  // indices seen as [outer, inner], split at the new axis
    for (int d = 0; d < axis; ++d) outer *= indices.dim(d);
    for (int d = axis; d < indices.rank(); ++d) inner *= indices.dim(d);
    dispatch_movable(values.dtype(), [&]<typename T>() {
      const T off = values.data<T>()[0], on = values.data<T>()[1];
      T* out = y.data<T>();
      for (int64_t i = 0, n = y.numel(); i < n; ++i) out[i] = off;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j = 0; j < inner; ++j) {
          int64_t k = read_scalar_int(indices, o * inner + j);
          if (k < 0) k += depth;
          if (k >= 0 && k < depth) out[(o * depth + k) * inner + j] = on;
        }
      }
    });
  }

 private:
  Shape output_shape(const Shape& indices, int64_t depth) const {
    const int64_t axis = normalize_axis(axis_, static_cast<int64_t>(indices.size()) + 1);
    Shape out = indices;
    out.insert(out.begin() + axis, depth);
    return out;
  }

  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("OneHot", OneHotKernel);
}  // namespace infera
