// ScatterElements (and its opset 9-10 name, Scatter): a copy of `data` where, for every entry
// of `indices`, the element at that entry's position with the axis coordinate replaced by the
// index receives the matching `updates` element (combined per `reduction`, opset 16+).
#include "ops/op_util.h"
#include "ops/scatter_reduction.h"

namespace infera {
namespace {

class ScatterElementsKernel final : public OpKernel {
 public:
  explicit ScatterElementsKernel(const KernelInit& init)
      : axis_(init.attr_int("axis", 0)), reduction_(parse_scatter_reduction(init)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    check_index_dtype(ctx, 1);
    normalize_axis(axis_, data.rank(), "axis");
    if (indices.rank() != data.rank() || updates.shape() != indices.shape())
      ctx.fail("indices " + shape_to_string(indices.shape()) + " and updates " +
               shape_to_string(updates.shape()) + " must share one shape of data's rank " +
               std::to_string(data.rank()));
    if (updates.dtype() != data.dtype())
      ctx.fail(std::string("updates dtype ") + dtype_name(updates.dtype()) +
               " differs from data dtype " + dtype_name(data.dtype()));
    ctx.set_output(0, data.dtype(), data.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    Tensor& y = ctx.output(0);
    const int rank = data.rank();
    check_move_rank(ctx, rank);
    const int axis = static_cast<int>(normalize_axis(axis_, rank, "axis"));
    const int64_t dim = data.dim(axis);
    int64_t strides[kMaxMoveRank];
    row_major_strides(data.shape(), strides);
    copy_unless_aliased(data, y);
    dispatch_scatter(data.dtype(), reduction_, [&]<typename T>() {
      const T* upd = updates.data<T>();
      T* out = y.data<T>();
      int64_t index[kMaxMoveRank] = {0};
      int64_t base = 0;  // offset of `index` in data, axis coordinate left out
      for (int64_t i = 0, n = indices.numel(); i < n; ++i) {
        int64_t k = index_at(indices, i);
        if (k < -dim || k >= dim)
          ctx.fail("index " + std::to_string(k) + " is out of range for axis of size " +
                   std::to_string(dim));
        if (k < 0) k += dim;
        scatter_combine(out[base + k * strides[axis]], upd[i], reduction_);
        for (int d = rank - 1; d >= 0; --d) {
          const int64_t step = d == axis ? 0 : strides[d];
          base += step;
          if (++index[d] < indices.dim(d)) break;
          base -= step * indices.dim(d);
          index[d] = 0;
        }
      }
    });
  }

 private:
  int64_t axis_;
  ScatterReduction reduction_;
};

}  // namespace
INFERA_REGISTER_OP("ScatterElements", ScatterElementsKernel);
// Scatter-11 is deprecated but still valid in later opsets, as ScatterElements without reduction.
INFERA_REGISTER_OP_RANGE("", "Scatter", 9, 1000, ScatterElementsKernel);
}  // namespace infera
