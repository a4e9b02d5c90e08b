// Shape inference shared by Conv, ConvInteger and QLinearConv: checks X, W and the optional
// bias against each other and the attributes, and returns Y's shape.
#pragma once

#include "infera/tensor.h"
#include "ops/conv_geometry.h"
#include "ops/op.h"

namespace infera {

// b may be null. Fails through ctx naming the mismatch.
Shape infer_conv_shape(const InferContext& ctx, const SpatialAttrs& attrs, int64_t group,
                       const Tensor& x, const Tensor& w, const Tensor* b);

}  // namespace infera
