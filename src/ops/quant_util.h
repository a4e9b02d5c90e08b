// Helpers for the quantization ops: rounding, saturation, per-tensor / per-axis parameters.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "infera/tensor.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

// ONNX quantization rounds half to even; rint does so in the default rounding mode.
template <typename Q>
Q saturate_round(double v) {
  const double r = std::rint(v);
  const double lo = static_cast<double>(std::numeric_limits<Q>::lowest());
  const double hi = static_cast<double>(std::numeric_limits<Q>::max());
  return static_cast<Q>(r < lo ? lo : (r > hi ? hi : r));
}

// The 8-bit integer types the quantized ops take.
template <typename F>
decltype(auto) dispatch_quant8(DType dt, F&& f) {
  switch (dt) {
    case DType::kUInt8:
      return f.template operator()<uint8_t>();
    case DType::kInt8:
      return f.template operator()<int8_t>();
    default:
      throw_unsupported_dtype(dt, "8-bit integer");
  }
}

// The integer types QuantizeLinear can produce (16-bit since opset 21).
template <typename F>
decltype(auto) dispatch_quant_storage(DType dt, F&& f) {
  switch (dt) {
    case DType::kUInt16:
      return f.template operator()<uint16_t>();
    case DType::kInt16:
      return f.template operator()<int16_t>();
    default:
      return dispatch_quant8(dt, std::forward<F>(f));
  }
}

// A scale or zero point that is a scalar (every element) or 1-D with one value per index along
// an axis. An absent zero point reads as 0.
struct QuantParam {
  const Tensor* t = nullptr;
  double at(int64_t i) const {
    if (!t) return 0.0;
    return read_scalar_double(*t, t->numel() == 1 ? 0 : i);
  }
  int64_t at_int(int64_t i) const {
    if (!t) return 0;
    return read_scalar_int(*t, t->numel() == 1 ? 0 : i);
  }
};

// Splits a shape around `axis` for per-axis parameters: outer x axis extent x inner.
inline void split_at_axis(const Shape& s, int64_t axis, int64_t& outer, int64_t& extent,
                          int64_t& inner) {
  outer = 1;
  inner = 1;
  extent = s.empty() ? 1 : s[static_cast<size_t>(axis)];
  for (size_t d = 0; d < s.size(); ++d) {
    if (static_cast<int64_t>(d) < axis) outer *= s[d];
    if (static_cast<int64_t>(d) > axis) inner *= s[d];
  }
}

// True when p (may be null) is a scalar or holds exactly `n` values.
inline bool quant_param_fits(const Tensor* p, int64_t n) {
  return !p || p->numel() == 1 || (p->rank() == 1 && p->dim(0) == n);
}

// Fails unless scale and zp (may be null) are scalars or 1-D with one value per slice of x
// along axis.
inline void check_quant_params(const InferContext& ctx, const Tensor& x, const Tensor& scale,
                               const Tensor* zp, int64_t axis) {
  if (scale.numel() == 1 && (!zp || zp->numel() == 1)) return;
  const int a = static_cast<int>(normalize_axis(axis, x.rank()));
  if (!quant_param_fits(&scale, x.dim(a)) || !quant_param_fits(zp, x.dim(a)))
    ctx.fail("scale " + shape_to_string(scale.shape()) +
             " and zero point must be scalars or 1-D with " + std::to_string(x.dim(a)) +
             " values (axis " + std::to_string(a) + " of " + shape_to_string(x.shape()) + ")");
}

}  // namespace infera
