// The `reduction` attribute of ScatterElements and ScatterND: how an update meets the value
// already at its target.
#pragma once

#include <string>

#include "ops/movement.h"

namespace infera {

enum class ScatterReduction { kNone, kAdd, kMul, kMax, kMin };

inline ScatterReduction parse_scatter_reduction(const KernelInit& init) {
  const std::string r = init.attr_string("reduction", "none");
  if (r == "none") return ScatterReduction::kNone;
  if (r == "add") return ScatterReduction::kAdd;
  if (r == "mul") return ScatterReduction::kMul;
  if (r == "max") return ScatterReduction::kMax;
  if (r == "min") return ScatterReduction::kMin;
  init.fail("unknown reduction '" + r + "' (expected none, add, mul, max or min)");
}

// Calls f.template operator()<T>() with T able to carry the data: any movable type when
// updates simply overwrite, numeric types when they combine.
template <typename F>
decltype(auto) dispatch_scatter(DType dt, ScatterReduction r, F&& f) {
  if (r == ScatterReduction::kNone) return dispatch_movable(dt, std::forward<F>(f));
  return dispatch_numeric(dt, std::forward<F>(f));
}

template <typename T>
void scatter_combine(T& dst, const T& update, ScatterReduction r) {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, Float16> ||
                std::is_same_v<T, BFloat16>) {
    switch (r) {
      case ScatterReduction::kNone:
        dst = update;
        return;
      case ScatterReduction::kAdd:
        dst = T(dst + update);
        return;
      case ScatterReduction::kMul:
        dst = T(dst * update);
        return;
      case ScatterReduction::kMax:
        dst = dst < update ? update : dst;
        return;
      case ScatterReduction::kMin:
        dst = update < dst ? update : dst;
        return;
    }
  } else {
    dst = update;  // byte-sized stand-ins only ever overwrite (kNone)
  }
}

}  // namespace infera
