// Slice: numpy-style start:end:step per axis, with out-of-range bounds clamped. starts, ends and
// axes are attributes before opset 10; since then they are inputs, plus optional steps.
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

// The sliced window of every input dim.
struct SlicePlan {
  int64_t start[kMaxMoveRank];
  int64_t step[kMaxMoveRank];
  int64_t count[kMaxMoveRank];
};

// The per-axis lists, wherever they came from; axes/steps may be absent (n_axes/n_steps 0).
struct SliceArgs {
  const int64_t* starts;
  int n_starts;
  const int64_t* ends;
  int n_ends;
  const int64_t* axes;
  int n_axes;
  const int64_t* steps;
  int n_steps;
};

// Returns an error message, or empty on success.
std::string plan_slice(const Shape& in, const SliceArgs& a, SlicePlan& plan) {
  const int rank = static_cast<int>(in.size());
  if (rank > kMaxMoveRank) return "rank " + std::to_string(rank) + " is too large";
  for (int d = 0; d < rank; ++d) {
    plan.start[d] = 0;
    plan.step[d] = 1;
    plan.count[d] = in[d];
  }
  if (a.n_starts != a.n_ends || (a.n_axes && a.n_axes != a.n_starts) ||
      (a.n_steps && a.n_steps != a.n_starts))
    return "starts, ends, axes and steps must have the same length";
  bool seen[kMaxMoveRank] = {false};
  for (int i = 0; i < a.n_starts; ++i) {
    int64_t axis = a.n_axes ? a.axes[i] : i;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || seen[axis])
      return "axis " + std::to_string(a.n_axes ? a.axes[i] : i) + " is out of range or repeated";
    seen[axis] = true;
    const int64_t dim = in[axis];
    const int64_t step = a.n_steps ? a.steps[i] : 1;
    if (step == 0) return "step 0 is not allowed";
    int64_t start = a.starts[i] < 0 ? a.starts[i] + dim : a.starts[i];
    int64_t end = a.ends[i] < 0 ? a.ends[i] + dim : a.ends[i];
    // Backward slices may end just before element 0, hence -1.
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
    }
    const int64_t span = step > 0 ? end - start : start - end;
    const int64_t abs_step = step > 0 ? step : -step;
    plan.start[axis] = start;
    plan.step[axis] = step;
    plan.count[axis] = span <= 0 ? 0 : (span + abs_step - 1) / abs_step;
  }
  return {};
}

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
    const SliceArgs args =
        from_attrs_ ? attr_args() : SliceArgs{lists[0], sizes[0], lists[1], sizes[1],
                                              lists[2], sizes[2], lists[3], sizes[3]};
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
  SliceArgs attr_args() const {
    return {starts_.data(), static_cast<int>(starts_.size()),
            ends_.data(),   static_cast<int>(ends_.size()),
            axes_.data(),   static_cast<int>(axes_.size()),
            nullptr,        0};
  }
  static SliceArgs vector_args(const std::vector<int64_t> (&l)[4]) {
    return {l[0].data(), static_cast<int>(l[0].size()), l[1].data(), static_cast<int>(l[1].size()),
            l[2].data(), static_cast<int>(l[2].size()), l[3].data(), static_cast<int>(l[3].size())};
  }

  bool from_attrs_;
  std::vector<int64_t> starts_, ends_, axes_;
};

}  // namespace
INFERA_REGISTER_OP("Slice", SliceKernel);
}  // namespace infera
