// Collapses a two-operand numpy broadcast into at most three dims, so that the common cases
// (same shape, scalar, per-channel [1,C,1,1], trailing vector [K]) become rows over the last
// dim, each a vector-vector or vector-scalar loop. Broadcasts that need more dims say so and
// go to the reference kernel.
#pragma once

#include <cstdint>

#include "infera/tensor.h"

namespace infera {

struct BinaryBroadcastPlan {
  int64_t extent[3] = {1, 1, 1};
  int64_t stride_a[3] = {0, 0, 0};  // element strides; 0 where the operand repeats
  int64_t stride_b[3] = {0, 0, 0};
};

// False when the broadcast does not fold into three dims.
inline bool plan_binary_broadcast(const Shape& a, const Shape& b, const Shape& out,
                                  BinaryBroadcastPlan& plan) {
  const size_t rank = out.size();
  int64_t extent[3];
  bool full_a[3], full_b[3];
  int dims = 0;
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;
    const size_t pad_a = rank - a.size(), pad_b = rank - b.size();
    const bool fa = d >= pad_a && a[d - pad_a] != 1;
    const bool fb = d >= pad_b && b[d - pad_b] != 1;
    if (dims > 0 && full_a[dims - 1] == fa && full_b[dims - 1] == fb) {
      extent[dims - 1] *= out[d];  // same pattern as the dim before: one longer dim
      continue;
    }
    if (dims == 3) return false;
    extent[dims] = out[d];
    full_a[dims] = fa;
    full_b[dims] = fb;
    ++dims;
  }
  if (dims == 0) {  // one element
    extent[0] = 1;
    full_a[0] = full_b[0] = true;
    dims = 1;
  }
  int64_t sa = 1, sb = 1;
  for (int d = dims - 1, k = 2; d >= 0; --d, --k) {
    plan.extent[k] = extent[d];
    plan.stride_a[k] = full_a[d] ? sa : 0;
    plan.stride_b[k] = full_b[d] ? sb : 0;
    if (full_a[d]) sa *= extent[d];
    if (full_b[d]) sb *= extent[d];
  }
  return true;
}

}  // namespace infera
