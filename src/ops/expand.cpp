// Expand: broadcasts the input against a shape (numpy rules, both ways: a 1 in the target keeps
// the input's dim).
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ExpandKernel final : public OpKernel {
 public:
  explicit ExpandKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), broadcast_shapes(x.shape(), read_int_list(ctx.input(1))));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] {
      return broadcast_shapes(x.shape(), read_int_list(ctx.input(1)));
    });
    const int rank = y.rank();
    check_move_rank(ctx, rank);
    int64_t in_strides[kMaxMoveRank], src_strides[kMaxMoveRank];
    row_major_strides(x.shape(), in_strides);
    const int offset = rank - x.rank();
    for (int d = 0; d < rank; ++d) {
      const bool broadcast = d < offset || x.dim(d - offset) == 1;
      src_strides[d] = broadcast ? 0 : in_strides[d - offset];
    }
    copy_strided(x, y, src_strides, 0);
  }
};

}  // namespace
INFERA_REGISTER_OP("Expand", ExpandKernel);
}  // namespace infera
