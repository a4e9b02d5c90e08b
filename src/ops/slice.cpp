// Slice: numpy-style start:end:step per axis, with out-of-range bounds clamped. starts, ends and
// axes are attributes before opset 10; since then they are inputs, plus optional steps.
#include <algorithm>

#include "ops/movement.h"
#include "ops/slice_plan.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class SliceKernel final : public OpKernel {
 public:
  explicit SliceKernel(const KernelInit& init)
      : from_attrs_(init.opset() < 10),
        starts_(init.attr_ints("starts")),
        ends_(init.attr_ints("ends")),
        axes_(init.attr_ints("axes")) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!from_attrs_ && !inputs_known(ctx, {1, 2, 3, 4})) {
      ctx.set_output_dynamic(0);
      return;
    }
    std::vector<int64_t> lists[4];
    if (!from_attrs_)
      for (int i = 0; i < 4; ++i) lists[i] = optional_int_list(ctx, i + 1);
    SlicePlan plan;
    const std::string error =
        plan_slice(x.shape(), from_attrs_ ? attr_args() : vector_args(lists), plan);
    if (!error.empty()) ctx.fail(error + " (input shape " + shape_to_string(x.shape()) + ")");
    ctx.set_output(0, x.dtype(), Shape(plan.count, plan.count + x.rank()));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    check_move_rank(ctx, rank);
    int64_t lists[4][kMaxMoveRank];
    int sizes[4] = {0, 0, 0, 0};
    if (!from_attrs_)
      for (int i = 0; i < 4; ++i) sizes[i] = read_small_int_list(ctx, i + 1, lists[i]);
    const SliceArgs args = from_attrs_ ? attr_args()
                                       : SliceArgs{{lists[0], sizes[0]},
                                                   {lists[1], sizes[1]},
                                                   {lists[2], sizes[2]},
                                                   {lists[3], sizes[3]}};
    SlicePlan plan;
    const std::string error = plan_slice(x.shape(), args, plan);
    if (!error.empty()) ctx.fail(error);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(),
                                     [&] { return Shape(plan.count, plan.count + rank); });
    int64_t strides[kMaxMoveRank];
    row_major_strides(x.shape(), strides);
    int64_t base = 0;
    for (int d = 0; d < rank; ++d) {
      base += plan.start[d] * strides[d];
      strides[d] *= plan.step[d];
    }
    copy_strided(x, y, strides, base);
  }

 private:
  SliceArgs attr_args() const { return {list(starts_), list(ends_), list(axes_), {}}; }
  static SliceArgs vector_args(const std::vector<int64_t> (&l)[4]) {
    return {list(l[0]), list(l[1]), list(l[2]), list(l[3])};
  }
  static IntList list(const std::vector<int64_t>& v) {
    return {v.data(), static_cast<int>(v.size())};
  }

  bool from_attrs_;
  std::vector<int64_t> starts_, ends_, axes_;
};

}  // namespace
INFERA_REGISTER_OP("Slice", SliceKernel);
}  // namespace infera
