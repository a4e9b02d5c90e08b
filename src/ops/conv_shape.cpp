#include "ops/conv_shape.h"

#include <string>

namespace infera {

Shape infer_conv_shape(const InferContext& ctx, const SpatialAttrs& attrs, int64_t group,
                       const Tensor& x, const Tensor& w, const Tensor* b) {
  if (x.rank() < 3 || w.rank() != x.rank())
    ctx.fail("X " + shape_to_string(x.shape()) + " and W " + shape_to_string(w.shape()) +
             " must have the same rank, at least 3");
  if (x.dim(1) != w.dim(1) * group)
    ctx.fail("X has " + std::to_string(x.dim(1)) + " channels but W expects " +
             std::to_string(w.dim(1) * group) + " (" + std::to_string(w.dim(1)) + " per group x " +
             std::to_string(group) + " groups)");
  if (w.dim(0) % group != 0)
    ctx.fail("W has " + std::to_string(w.dim(0)) + " output channels, not divisible by group " +
             std::to_string(group));
  const Shape kernel(w.shape().begin() + 2, w.shape().end());
  if (!attrs.kernel_shape.empty() && attrs.kernel_shape != kernel)
    ctx.fail("kernel_shape " + shape_to_string(attrs.kernel_shape) + " does not match W " +
             shape_to_string(w.shape()));
  if (b && b->shape() != Shape{w.dim(0)})
    ctx.fail("B is " + shape_to_string(b->shape()) + " but W has " + std::to_string(w.dim(0)) +
             " output channels");
  SpatialGeometry g;
  const std::string err = resolve_forward_geometry(attrs, x.shape(), kernel.data(), g);
  if (!err.empty()) ctx.fail(err);
  Shape y{x.dim(0), w.dim(0)};
  g.append_out_dims(y);
  return y;
}

}  // namespace infera
