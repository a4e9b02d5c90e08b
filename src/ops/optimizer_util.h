// What the training-domain optimizers (Adagrad, Adam, Momentum) share. Their inputs are
// R (learning rate), T (update count), then `groups` groups of n tensors each: X, G and the
// optimizer's state tensors. Their outputs are X_new and new state, group by group, so output
// group k mirrors input group 0 for k = 0 and input group k + 1 otherwise (G has no output).
#pragma once

#include <string>

#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

template <typename Ctx>
int64_t optimizer_tensor_count(const Ctx& ctx, int groups) {
  const int tensors = ctx.num_inputs() - 2;
  if (tensors <= 0 || tensors % groups != 0) {
    ctx.fail("expected R, T and " + std::to_string(groups) + " equal groups of tensors, got " +
             std::to_string(ctx.num_inputs()) + " inputs");
  }
  return tensors / groups;
}

// Input index of the j-th tensor of output group k.
inline int optimizer_input_for(int k, int64_t n, int64_t j) {
  return static_cast<int>(2 + (k == 0 ? 0 : k + 1) * n + j);
}

// Every group's j-th tensor must match X_j; each output takes its mirrored input's shape.
inline void infer_optimizer(InferContext& ctx, int groups) {
  const int64_t n = optimizer_tensor_count(ctx, groups);
  if (ctx.num_outputs() != (groups - 1) * n) {
    ctx.fail("expected " + std::to_string((groups - 1) * n) + " outputs, got " +
             std::to_string(ctx.num_outputs()));
  }
  if (ctx.input(0).numel() != 1 || ctx.input(1).numel() != 1) {
    ctx.fail("R and T should be scalars, got " + shape_to_string(ctx.input(0).shape()) + " and " +
             shape_to_string(ctx.input(1).shape()));
  }
  for (int64_t j = 0; j < n; ++j) {
    const Tensor& x = ctx.input(static_cast<int>(2 + j));
    for (int g = 1; g < groups; ++g) {
      const Tensor& other = ctx.input(static_cast<int>(2 + g * n + j));
      if (other.shape() != x.shape() || other.dtype() != x.dtype()) {
        ctx.fail("tensor " + std::to_string(j) + " of group " + std::to_string(g) + " should be " +
                 dtype_name(x.dtype()) + shape_to_string(x.shape()) + ", got " +
                 dtype_name(other.dtype()) + shape_to_string(other.shape()));
      }
    }
  }
  for (int k = 0; k < groups - 1; ++k) {
    for (int64_t j = 0; j < n; ++j) {
      const int out = static_cast<int>(k * n + j);
      if (!ctx.has_output(out)) continue;
      const Tensor& src = ctx.input(optimizer_input_for(k, n, j));
      ctx.set_output(out, src.dtype(), src.shape());
    }
  }
}

}  // namespace infera
