// Output shape of the global pools: [N, C, 1, ..., 1], the spatial dims kept as 1s.
#pragma once

#include "ops/op.h"

namespace infera {

inline void infer_global_pool(InferContext& ctx) {
  const Tensor& x = ctx.input(0);
  if (x.rank() < 2) ctx.fail("X " + shape_to_string(x.shape()) + " needs rank 2 or more");
  Shape y(x.shape().size(), 1);
  y[0] = x.dim(0);
  y[1] = x.dim(1);
  ctx.set_output(0, x.dtype(), y);
}

}  // namespace infera
