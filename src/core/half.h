// Storage types for 16-bit floats. Arithmetic goes through float: reference kernels write
// `T(f(float(x)))` and get the rounding a framework would give.
#pragma once

#include <cstdint>

#include "infera/tensor.h"

namespace infera {

struct Float16 {
  uint16_t bits = 0;
  Float16() = default;
  Float16(float f) : bits(float_to_half(f)) {}  // NOLINT: implicit by design
  operator float() const { return half_to_float(bits); }
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(float_to_bfloat16(f)) {}  // NOLINT: implicit by design
  operator float() const { return bfloat16_to_float(bits); }
};

static_assert(sizeof(Float16) == 2 && sizeof(BFloat16) == 2);

}  // namespace infera
