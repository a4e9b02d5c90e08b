// Slice's window arithmetic, shared by the reference kernel and the fast variant
// (src/ops/cpu/slice_contiguous.cpp): starts/ends/axes/steps resolved against the input shape,
// numpy-style, with out-of-range bounds clamped.
#pragma once

#include <cstdint>
#include <string>

#include "ops/movement.h"

namespace infera {

// The sliced window of every input dim.
struct SlicePlan {
  int64_t start[kMaxMoveRank];
  int64_t step[kMaxMoveRank];
  int64_t count[kMaxMoveRank];
};

// A borrowed list of ints: an attribute vector or a stack buffer (run() must not allocate).
struct IntList {
  const int64_t* at = nullptr;
  int size = 0;
};

// The per-axis lists; axes and steps have size 0 when absent.
struct SliceArgs {
  IntList starts, ends, axes, steps;
};

// Returns an error message, or empty on success.
std::string plan_slice(const Shape& in, const SliceArgs& a, SlicePlan& plan);

}  // namespace infera
