// Helpers shared by the sequence ops. Sequences own their tensors: an element is copied in
// when it joins a sequence, because the tensor it came from may live in an arena slot that
// the planner hands to another value once its producer's consumers are done.
#pragma once

#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

// The sequence in input i; fails naming the node when the input is not a sequence.
inline const Value& sequence_input(const RunContext& ctx, int i) {
  const Value& v = ctx.input_value(i);
  if (!v.is_sequence()) ctx.fail("input " + std::to_string(i) + " must be a sequence");
  return v;
}

// A position in [-n, n) (or [-n, n] when `allow_end`), as a non-negative index.
inline int64_t sequence_position(const RunContext& ctx, const Tensor& pos, int64_t n,
                                 bool allow_end) {
  const int64_t p = read_scalar_int(pos);
  const int64_t hi = allow_end ? n : n - 1;
  if (p < -n || p > hi)
    ctx.fail("position " + std::to_string(p) + " is out of range for a sequence of " +
             std::to_string(n));
  return p < 0 ? p + n : p;
}

// Marks every connected output as a value the kernel sets itself.
inline void outputs_are_values(InferContext& ctx) {
  for (int i = 0; i < ctx.num_outputs(); ++i)
    if (ctx.has_output(i)) ctx.set_output_non_tensor(i);
}

}  // namespace infera
