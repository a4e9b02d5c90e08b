// ScatterND: a copy of `data` where each innermost row of `indices` (length k) addresses a
// slice data[i0, .., ik-1] that receives the matching slice of `updates` (combined per
// `reduction`, opset 16+). updates.shape = indices.shape[:-1] + data.shape[k:].
#include "ops/op_util.h"
#include "ops/scatter_reduction.h"

namespace infera {
namespace {

class ScatterNDKernel final : public OpKernel {
 public:
  explicit ScatterNDKernel(const KernelInit& init) : reduction_(parse_scatter_reduction(init)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    check_index_dtype(ctx, 1);
    if (indices.rank() < 1 || indices.shape().back() > data.rank())
      ctx.fail("indices shape " + shape_to_string(indices.shape()) +
               " does not address data of shape " + shape_to_string(data.shape()));
    const int64_t k = indices.shape().back();
    Shape expected(indices.shape().begin(), indices.shape().end() - 1);
    expected.insert(expected.end(), data.shape().begin() + k, data.shape().end());
    if (updates.shape() != expected)
      ctx.fail("updates shape " + shape_to_string(updates.shape()) + ", expected " +
               shape_to_string(expected));
    ctx.set_output(0, data.dtype(), data.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    const Tensor& updates = ctx.input(2);
    Tensor& y = ctx.output(0);
    check_move_rank(ctx, data.rank());
    const int k = static_cast<int>(indices.shape().back());
    int64_t strides[kMaxMoveRank];
    row_major_strides(data.shape(), strides);
    const int64_t slice = k > 0 ? strides[k - 1] : data.numel();
    const int64_t rows = slice == 0 ? 0 : updates.numel() / slice;
    copy_unless_aliased(data, y);
    dispatch_scatter(data.dtype(), reduction_, [&]<typename T>() {
      const T* upd = updates.data<T>();
      T* out = y.data<T>();
      for (int64_t r = 0; r < rows; ++r) {
        int64_t offset = 0;
        for (int j = 0; j < k; ++j) {
          const int64_t dim = data.dim(j);
          const int64_t i = index_at(indices, r * k + j);
          if (i < -dim || i >= dim)
            ctx.fail("index " + std::to_string(i) + " is out of range for data dim " +
                     std::to_string(j) + " of size " + std::to_string(dim));
          offset += (i < 0 ? i + dim : i) * strides[j];
        }
        for (int64_t e = 0; e < slice; ++e)
          scatter_combine(out[offset + e], upd[r * slice + e], reduction_);
      }
    });
  }

 private:
  ScatterReduction reduction_;
};

}  // namespace
INFERA_REGISTER_OP("ScatterND", ScatterNDKernel);
}  // namespace infera
