// Shared pieces of the element-wise reference kernels (unary math, activations, binary and
// variadic broadcasting ops, Where, Clip, Cast): dtype families and a broadcast walker that
// keeps its index state on the stack so run() does not allocate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>

#include "core/half.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {

// The dtypes an element-wise op accepts.
enum class TypeFamily {
  kFloat,        // float32/64, float16, bfloat16
  kSigned,       // floats and signed integers
  kNumeric,      // floats and all integers
  kUnsigned,     // uint8..uint64 (BitShift)
  kBool,         // bool only (And, Or, Xor, Not)
  kNumericBool,  // numeric plus bool
  kAny,          // numeric, bool and string (Equal)
};

bool family_contains(TypeFamily family, DType dtype);
const char* family_name(TypeFamily family);

template <typename F>
decltype(auto) dispatch_unsigned(DType dt, F&& f) {
  switch (dt) {
    case DType::kUInt8:
      return f.template operator()<uint8_t>();
    case DType::kUInt16:
      return f.template operator()<uint16_t>();
    case DType::kUInt32:
      return f.template operator()<uint32_t>();
    case DType::kUInt64:
      return f.template operator()<uint64_t>();
    default:
      throw_unsupported_dtype(dt, "unsigned integer");
  }
}

// Instantiates f only for the types of one family, so an op's functor need not compile for
// types it never sees (bitwise ops on floats, math on bools).
template <TypeFamily kFamily, typename F>
decltype(auto) dispatch_family(DType dt, F&& f) {
  if constexpr (kFamily == TypeFamily::kFloat) {
    return dispatch_float(dt, std::forward<F>(f));
  } else if constexpr (kFamily == TypeFamily::kSigned) {
    return dispatch_signed(dt, std::forward<F>(f));
  } else if constexpr (kFamily == TypeFamily::kNumeric) {
    return dispatch_numeric(dt, std::forward<F>(f));
  } else if constexpr (kFamily == TypeFamily::kUnsigned) {
    return dispatch_unsigned(dt, std::forward<F>(f));
  } else if constexpr (kFamily == TypeFamily::kBool) {
    if (dt != DType::kBool) throw_unsupported_dtype(dt, "bool");
    return f.template operator()<bool>();
  } else if constexpr (kFamily == TypeFamily::kNumericBool) {
    return dispatch_numeric_bool(dt, std::forward<F>(f));
  } else {
    if (dt == DType::kString) return f.template operator()<std::string>();
    return dispatch_numeric_bool(dt, std::forward<F>(f));
  }
}

// 16-bit floats are storage only; arithmetic on them happens in float.
template <typename T>
using compute_t =
    std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;

// Throws naming the input, the family and the actual dtype when `dtype` is not accepted.
void check_family(const InferContext& ctx, int input, TypeFamily family);

// Highest rank the broadcast walker handles without allocating.
constexpr int kMaxBroadcastRank = 16;

// Visits every element of an output of shape `out`, passing the flat output index and the flat
// offsets of N inputs whose shapes (right-aligned, numpy rules) broadcast to `out`.
// f(int64_t out_index, const int64_t (&offsets)[N]).
template <int N, typename F>
void for_each_broadcast_n(std::span<const int64_t> out, const std::span<const int64_t> (&ins)[N],
                          F&& f) {
  const int rank = static_cast<int>(out.size());
  if (rank > kMaxBroadcastRank) {
    throw Error(ErrorKind::kUnsupported, "element-wise broadcast of rank " + std::to_string(rank) +
                                             " exceeds " + std::to_string(kMaxBroadcastRank));
  }
  int64_t total = 1;
  for (int64_t d : out) total *= d;
  if (total == 0) return;

  bool all_same = true;
  for (int k = 0; k < N; ++k) {
    all_same = all_same && ins[k].size() == out.size() &&
               std::equal(ins[k].begin(), ins[k].end(), out.begin());
  }
  int64_t offsets[N];
  if (all_same || rank == 0) {
    for (int64_t i = 0; i < total; ++i) {
      for (int k = 0; k < N; ++k) offsets[k] = all_same ? i : 0;
      f(i, offsets);
    }
    return;
  }

  // strides[k][d]: how far input k's flat offset moves per step along output dim d.
  int64_t strides[N][kMaxBroadcastRank] = {};
  for (int k = 0; k < N; ++k) {
    const int shift = rank - static_cast<int>(ins[k].size());
    int64_t step = 1;
    for (int d = rank - 1; d >= shift; --d) {
      const int64_t dim = ins[k][static_cast<size_t>(d - shift)];
      strides[k][d] = dim == 1 ? 0 : step;
      step *= dim;
    }
  }
  int64_t index[kMaxBroadcastRank] = {};
  int64_t base[N] = {};
  const int64_t inner = out[static_cast<size_t>(rank - 1)];
  for (int64_t flat = 0; flat < total; flat += inner) {
    for (int64_t j = 0; j < inner; ++j) {
      for (int k = 0; k < N; ++k) offsets[k] = base[k] + j * strides[k][rank - 1];
      f(flat + j, offsets);
    }
    // Advance the outer dims like an odometer.
    for (int d = rank - 2; d >= 0; --d) {
      for (int k = 0; k < N; ++k) base[k] += strides[k][d];
      if (++index[d] < out[static_cast<size_t>(d)]) break;
      for (int k = 0; k < N; ++k) base[k] -= strides[k][d] * out[static_cast<size_t>(d)];
      index[d] = 0;
    }
  }
}

}  // namespace infera
