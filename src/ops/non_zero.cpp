// NonZero: the coordinates of the non-zero elements, as int64 [rank, count] in row-major order.
#include "ops/movement.h"

namespace infera {
namespace {

// Calls visit(flat_index) for every non-zero element of x.
template <typename F>
void for_each_nonzero(const Tensor& x, F&& visit) {
  dispatch_numeric_bool(x.dtype(), [&]<typename T>() {
    const T* in = x.data<T>();
    for (int64_t i = 0, n = x.numel(); i < n; ++i)
      if (in[i] != T(0)) visit(i);
  });
}

int64_t count_nonzero(const Tensor& x) {
  int64_t count = 0;
  for_each_nonzero(x, [&](int64_t) { ++count; });
  return count;
}

class NonZeroKernel final : public OpKernel {
 public:
  explicit NonZeroKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!x.has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, DType::kInt64, {x.rank(), count_nonzero(x)});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    check_move_rank(ctx, rank);
    Tensor& y = planned_or_allocated(ctx, 0, DType::kInt64, [&] {
      return Shape{rank, count_nonzero(x)};
    });
    const int64_t count = y.dim(1);
    int64_t strides[kMaxMoveRank];
    row_major_strides(x.shape(), strides);
    int64_t* out = y.data<int64_t>();
    int64_t column = 0;
    for_each_nonzero(x, [&](int64_t flat) {
      for (int d = 0; d < rank; ++d) out[d * count + column] = flat / strides[d] % x.dim(d);
      ++column;
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("NonZero", NonZeroKernel);
}  // namespace infera
