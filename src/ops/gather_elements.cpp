// GatherElements: out[i][j][k] = data[index][j][k] (for axis 0; likewise for other axes), where
// index = indices[i][j][k]. The output has the indices' shape.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class GatherElementsKernel final : public OpKernel {
 public:
  explicit GatherElementsKernel(const KernelInit& init) : axis_(init.attr_int("axis", 0)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_dtype(ctx, 1);
    normalize_axis(axis_, data.rank(), "GatherElements axis");
    if (indices.rank() != data.rank())
      ctx.fail("indices shape " + shape_to_string(indices.shape()) +
               " must have the same rank as data shape " + shape_to_string(data.shape()));
    ctx.set_output(0, data.dtype(), indices.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const int rank = data.rank();
    check_move_rank(ctx, rank);
    const int axis = static_cast<int>(normalize_axis(axis_, rank, "GatherElements axis"));
    const int64_t dim = data.dim(axis);
    int64_t strides[kMaxMoveRank];
    row_major_strides(data.shape(), strides);
    Tensor& y = ctx.output(0);
    dispatch_movable(data.dtype(), [&]<typename T>() {
      const T* in = data.data<T>();
      T* out = y.data<T>();
      int64_t index[kMaxMoveRank] = {0};
      int64_t base = 0;  // offset of `index` in data, with the axis coordinate left out
      for (int64_t i = 0, n = indices.numel(); i < n; ++i) {
        int64_t k = index_at(indices, i);
        if (k < -dim || k >= dim)
          ctx.fail("index " + std::to_string(k) + " is out of range for axis of size " +
                   std::to_string(dim));
        if (k < 0) k += dim;
        out[i] = in[base + k * strides[axis]];
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
};

}  // namespace
INFERA_REGISTER_OP("GatherElements", GatherElementsKernel);
}  // namespace infera
