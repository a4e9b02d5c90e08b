// Gather: picks slices of `data` along `axis` by index; negative indices count from the end.
// Output shape: data[:axis] + indices.shape + data[axis+1:].
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class GatherKernel final : public OpKernel {
 public:
  explicit GatherKernel(const KernelInit& init) : axis_(init.attr_int("axis", 0)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_dtype(ctx, 1);
    const int64_t axis = normalize_axis(axis_, data.rank(), "Gather axis");
    Shape out(data.shape().begin(), data.shape().begin() + axis);
    out.insert(out.end(), indices.shape().begin(), indices.shape().end());
    out.insert(out.end(), data.shape().begin() + axis + 1, data.shape().end());
    ctx.set_output(0, data.dtype(), out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int axis = static_cast<int>(normalize_axis(axis_, data.rank(), "Gather axis"));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= data.dim(d);
    for (int d = axis + 1; d < data.rank(); ++d) inner *= data.dim(d);
    const int64_t dim = data.dim(axis);
    const int64_t count = indices.numel();
    // Validate first so a bad index never reads out of bounds.
    for (int64_t j = 0; j < count; ++j) {
      const int64_t k = index_at(indices, j);
      if (k < -dim || k >= dim)
        ctx.fail("index " + std::to_string(k) + " is out of range for axis " +
                 std::to_string(axis) + " of size " + std::to_string(dim));
    }
    Tensor& y = ctx.output(0);
    dispatch_movable(data.dtype(), [&]<typename T>() {
      const T* in = data.data<T>();
      T* out = y.data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t j = 0; j < count; ++j) {
          int64_t k = index_at(indices, j);
          if (k < 0) k += dim;
          const T* src = in + (o * dim + k) * inner;
          std::copy(src, src + inner, out + (o * count + j) * inner);
        }
      }
    });
  }

 private:
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_OP("Gather", GatherKernel);
}  // namespace infera
