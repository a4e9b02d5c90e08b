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

// The output whose shape run() computed from input data: allocated now when infer() declared
// it dynamic, otherwise the planned tensor.
inline Tensor& output_with_shape(RunContext& ctx, int i, DType dtype, const Shape& shape) {
  return ctx.allocate_output(i, dtype, shape);
}

}  // namespace infera
