#include "ops/slice_plan.h"

#include <algorithm>

namespace infera {

std::string plan_slice(const Shape& in, const SliceArgs& a, SlicePlan& plan) {
  const int rank = static_cast<int>(in.size());
  if (rank > kMaxMoveRank) return "rank " + std::to_string(rank) + " is too large";
  for (int d = 0; d < rank; ++d) {
    plan.start[d] = 0;
    plan.step[d] = 1;
    plan.count[d] = in[d];
  }
  if (a.starts.size != a.ends.size || (a.axes.size && a.axes.size != a.starts.size) ||
      (a.steps.size && a.steps.size != a.starts.size))
    return "starts, ends, axes and steps must have the same length";
  bool seen[kMaxMoveRank] = {false};
  for (int i = 0; i < a.starts.size; ++i) {
    int64_t axis = a.axes.size ? a.axes.at[i] : i;
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank || seen[axis])
      return "axis " + std::to_string(a.axes.size ? a.axes.at[i] : i) +
             " is out of range or repeated";
    seen[axis] = true;
    const int64_t dim = in[axis];
    const int64_t step = a.steps.size ? a.steps.at[i] : 1;
    if (step == 0) return "step 0 is not allowed";
    int64_t start = a.starts.at[i] < 0 ? a.starts.at[i] + dim : a.starts.at[i];
    int64_t end = a.ends.at[i] < 0 ? a.ends.at[i] + dim : a.ends.at[i];
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

}  // namespace infera
