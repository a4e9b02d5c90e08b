// GatherND: each innermost row of `indices` (length k) addresses a slice data[b..., i0, .., ik-1]
// within its batch (the first batch_dims dims, shared by data and indices).
// Output shape: indices.shape[:-1] + data.shape[batch_dims + k:].
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class GatherNDKernel final : public OpKernel {
 public:
  explicit GatherNDKernel(const KernelInit& init) : batch_dims_(init.attr_int("batch_dims", 0)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_index_dtype(ctx, 1);
    const int64_t b = batch_dims_;
    if (indices.rank() < 1 || b < 0 || b >= std::min(data.rank(), indices.rank()))
      ctx.fail("batch_dims " + std::to_string(b) + " does not fit data shape " +
               shape_to_string(data.shape()) + " and indices shape " +
               shape_to_string(indices.shape()));
    const int64_t k = indices.shape().back();
    if (k < 1 || b + k > data.rank())
      ctx.fail("index rows of length " + std::to_string(k) + " do not fit data shape " +
               shape_to_string(data.shape()) + " with batch_dims " + std::to_string(b));
    for (int64_t d = 0; d < b; ++d)
      if (data.dim(static_cast<int>(d)) != indices.dim(static_cast<int>(d)))
        ctx.fail("batch dims differ: data " + shape_to_string(data.shape()) + ", indices " +
                 shape_to_string(indices.shape()));
    Shape out(indices.shape().begin(), indices.shape().end() - 1);
    out.insert(out.end(), data.shape().begin() + b + k, data.shape().end());
    ctx.set_output(0, data.dtype(), out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& data = ctx.input(0);
    const Tensor& indices = ctx.input(1);
    check_move_rank(ctx, data.rank());
    const int b = static_cast<int>(batch_dims_);
    const int k = static_cast<int>(indices.shape().back());
    int64_t strides[kMaxMoveRank];
    row_major_strides(data.shape(), strides);
    int64_t batches = 1;
    for (int d = 0; d < b; ++d) batches *= data.dim(d);
    const int64_t rows = batches == 0 ? 0 : indices.numel() / k / batches;  // rows per batch
    const int64_t slice = b + k < data.rank() ? strides[b + k - 1] : 1;
    const int64_t batch_stride = b > 0 ? strides[b - 1] : data.numel();
    Tensor& y = ctx.output(0);
    dispatch_movable(data.dtype(), [&]<typename T>() {
      const T* in = data.data<T>();
      T* out = y.data<T>();
      for (int64_t batch = 0; batch < batches; ++batch) {
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t row = batch * rows + r;
          int64_t offset = batch * batch_stride;
          for (int j = 0; j < k; ++j) {
            const int64_t dim = data.dim(b + j);
            int64_t i = index_at(indices, row * k + j);
            if (i < -dim || i >= dim)
              ctx.fail("index " + std::to_string(i) + " is out of range for data dim " +
                       std::to_string(b + j) + " of size " + std::to_string(dim));
            offset += (i < 0 ? i + dim : i) * strides[b + j];
          }
          std::copy(in + offset, in + offset + slice, out + row * slice);
        }
      }
    });
  }

 private:
  int64_t batch_dims_;
};

}  // namespace
INFERA_REGISTER_OP("GatherND", GatherNDKernel);
}  // namespace infera
