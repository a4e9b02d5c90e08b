// Turning a runtime DType into a C++ type for a templated reference kernel:
//
//   dispatch_float(t.dtype(), [&]<typename T>() { kernel<T>(...); });
//
// Each family throws kUnsupported naming the dtype when it does not cover it.
#pragma once

#include <cstdint>
#include <string>

#include "core/half.h"
#include "infera/error.h"
#include "infera/tensor.h"

namespace infera {

[[noreturn]] void throw_unsupported_dtype(DType dtype, const char* family);

#define INFERA_DISPATCH_CASE(ENUM, TYPE) \
  case DType::ENUM:                      \
    return f.template operator()<TYPE>();

// float32, float64, float16, bfloat16
template <typename F>
decltype(auto) dispatch_float(DType dt, F&& f) {
  switch (dt) {
    INFERA_DISPATCH_CASE(kFloat32, float)
    INFERA_DISPATCH_CASE(kFloat64, double)
    INFERA_DISPATCH_CASE(kFloat16, Float16)
    INFERA_DISPATCH_CASE(kBFloat16, BFloat16)
    default: throw_unsupported_dtype(dt, "floating-point");
  }
}

// all integer types (not bool)
template <typename F>
decltype(auto) dispatch_integer(DType dt, F&& f) {
  switch (dt) {
    INFERA_DISPATCH_CASE(kInt8, int8_t)
    INFERA_DISPATCH_CASE(kUInt8, uint8_t)
    INFERA_DISPATCH_CASE(kInt16, int16_t)
    INFERA_DISPATCH_CASE(kUInt16, uint16_t)
    INFERA_DISPATCH_CASE(kInt32, int32_t)
    INFERA_DISPATCH_CASE(kUInt32, uint32_t)
    INFERA_DISPATCH_CASE(kInt64, int64_t)
    INFERA_DISPATCH_CASE(kUInt64, uint64_t)
    default: throw_unsupported_dtype(dt, "integer");
  }
}

// floats and integers
template <typename F>
decltype(auto) dispatch_numeric(DType dt, F&& f) {
  switch (dt) {
    INFERA_DISPATCH_CASE(kFloat32, float)
    INFERA_DISPATCH_CASE(kFloat64, double)
    INFERA_DISPATCH_CASE(kFloat16, Float16)
    INFERA_DISPATCH_CASE(kBFloat16, BFloat16)
    INFERA_DISPATCH_CASE(kInt8, int8_t)
    INFERA_DISPATCH_CASE(kUInt8, uint8_t)
    INFERA_DISPATCH_CASE(kInt16, int16_t)
    INFERA_DISPATCH_CASE(kUInt16, uint16_t)
    INFERA_DISPATCH_CASE(kInt32, int32_t)
    INFERA_DISPATCH_CASE(kUInt32, uint32_t)
    INFERA_DISPATCH_CASE(kInt64, int64_t)
    INFERA_DISPATCH_CASE(kUInt64, uint64_t)
    default: throw_unsupported_dtype(dt, "numeric");
  }
}

// numeric types whose negation is meaningful
template <typename F>
decltype(auto) dispatch_signed(DType dt, F&& f) {
  switch (dt) {
    INFERA_DISPATCH_CASE(kFloat32, float)
    INFERA_DISPATCH_CASE(kFloat64, double)
    INFERA_DISPATCH_CASE(kFloat16, Float16)
    INFERA_DISPATCH_CASE(kBFloat16, BFloat16)
    INFERA_DISPATCH_CASE(kInt8, int8_t)
    INFERA_DISPATCH_CASE(kInt16, int16_t)
    INFERA_DISPATCH_CASE(kInt32, int32_t)
    INFERA_DISPATCH_CASE(kInt64, int64_t)
    default: throw_unsupported_dtype(dt, "signed numeric");
  }
}

// numeric plus bool
template <typename F>
decltype(auto) dispatch_numeric_bool(DType dt, F&& f) {
  if (dt == DType::kBool) return f.template operator()<bool>();
  return dispatch_numeric(dt, std::forward<F>(f));
}

// Every type whose elements are plain bytes (for copies, gathers, reshapes): dispatches on the
// element size only, so one instantiation serves float32, int32 and uint32.
template <typename F>
decltype(auto) dispatch_by_size(DType dt, F&& f) {
  switch (dtype_size(dt)) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    case 16: {
      struct alignas(8) Bytes16 { uint64_t lo, hi; };
      return f.template operator()<Bytes16>();
    }
    default: throw_unsupported_dtype(dt, "fixed-size");
  }
}

#undef INFERA_DISPATCH_CASE

}  // namespace infera
