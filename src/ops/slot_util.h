// Output-slot helpers: optional-slot checks that tolerate indices past the node's last input
// or output (ONNX lets trailing optional slots be left off), and data-dependent outputs.
#pragma once

#include "ops/op.h"

namespace infera {

template <typename Ctx>
bool has_input_slot(const Ctx& ctx, int i) {
  return i < ctx.num_inputs() && ctx.has_input(i);
}

template <typename Ctx>
bool has_output_slot(const Ctx& ctx, int i) {
  return i < ctx.num_outputs() && ctx.has_output(i);
}

// The output whose shape run() computed from input data. The runtime re-runs infer() with data
// before running a dynamic node, so the output is normally already there; otherwise (an
// infer() that stayed dynamic) it is allocated now.
inline Tensor& output_with_shape(RunContext& ctx, int i, DType dtype, const Shape& shape) {
  Tensor& planned = ctx.output(i);
  if (planned.dtype() == dtype && planned.shape() == shape && planned.has_data()) return planned;
  return ctx.allocate_output(i, dtype, shape);
}

}  // namespace infera
