// Taking one slice of a tensor along an axis, and stacking equal-shaped tensors along a new
// axis: what Loop, Scan and SequenceMap do between iterations.
#pragma once

#include <vector>

#include "infera/tensor.h"

namespace infera {

// x[..., index, ...] along `axis`, with that axis removed; owned memory.
Tensor take_slice(const Tensor& x, int64_t axis, int64_t index);

// Stacks `items` (same dtype and shape) along a new axis `axis` of the result. With no items
// the result has `dtype` and shape `element_shape` with a 0 inserted at `axis`.
Tensor stack_tensors(const std::vector<Tensor>& items, int64_t axis, DType dtype,
                     const Shape& element_shape);

}  // namespace infera
