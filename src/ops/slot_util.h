// Optional-slot checks for kernels with many optional inputs and outputs: they tolerate
// indices past the node's last input or output, which ONNX allows to be left off.
#pragma once

namespace infera {

template <typename Ctx>
bool has_input_slot(const Ctx& ctx, int i) {
  return i < ctx.num_inputs() && ctx.has_input(i);
}

template <typename Ctx>
bool has_output_slot(const Ctx& ctx, int i) {
  return i < ctx.num_outputs() && ctx.has_output(i);
}

}  // namespace infera
