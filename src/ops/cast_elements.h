// Element conversion shared by Cast and CastLike, following numpy's astype: numbers convert
// with C rounding rules (floats truncate toward zero into integers, integers wrap), anything
// to bool tests != 0, and strings go both ways in numpy's text forms ("0.47892547", "1e-05",
// "nan", "inf"; parsing also takes "NaN", "INF", "+INF").
#pragma once

#include "infera/tensor.h"

namespace infera {

// True when cast_elements handles from -> to.
bool cast_supported(DType from, DType to);

// Converts every element of `src` into `dst`; both have the same element count.
void cast_elements(const Tensor& src, Tensor& dst);

}  // namespace infera
