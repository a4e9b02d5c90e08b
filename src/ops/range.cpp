// Range: start, start + delta, ... up to (excluding) limit; max(ceil((limit - start) / delta), 0)
// elements.
#include <cmath>

#include "ops/movement.h"

namespace infera {
namespace {

template <typename F>
decltype(auto) dispatch_range_type(DType dt, F&& f) {
  switch (dt) {
    case DType::kFloat32:
      return f.template operator()<float>();
    case DType::kFloat64:
      return f.template operator()<double>();
    case DType::kInt16:
      return f.template operator()<int16_t>();
    case DType::kInt32:
      return f.template operator()<int32_t>();
    case DType::kInt64:
      return f.template operator()<int64_t>();
    default:
      throw_unsupported_dtype(dt, "float, double, int16, int32 or int64");
  }
}

template <typename Ctx>
int64_t range_length(const Ctx& ctx) {
  return dispatch_range_type(ctx.input(0).dtype(), [&]<typename T>() -> int64_t {
    const T start = *ctx.input(0).template data<T>();
    const T limit = *ctx.input(1).template data<T>();
    const T delta = *ctx.input(2).template data<T>();
    if (delta == T(0)) ctx.fail("delta must not be 0");
    const double n = std::ceil((static_cast<double>(limit) - static_cast<double>(start)) /
                               static_cast<double>(delta));
    return n > 0 ? static_cast<int64_t>(n) : 0;
  });
}

class RangeKernel final : public OpKernel {
 public:
  explicit RangeKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const DType dt = ctx.input(0).dtype();
    for (int i = 0; i < 3; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != dt || t.numel() != 1)
        ctx.fail("input " + std::to_string(i) + " must be a one-element " + dtype_name(dt) +
                 " tensor like start, got " + dtype_name(t.dtype()) + shape_to_string(t.shape()));
    }
    if (!inputs_known(ctx, {0, 1, 2})) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, dt, {range_length(ctx)});
  }

  void run(RunContext& ctx) const override {
    const DType dt = ctx.input(0).dtype();
    Tensor& y = planned_or_allocated(ctx, 0, dt, [&] { return Shape{range_length(ctx)}; });
    dispatch_range_type(dt, [&]<typename T>() {
      const T start = *ctx.input(0).data<T>();
      const T delta = *ctx.input(2).data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = y.numel(); i < n; ++i) out[i] = T(start + T(i) * delta);
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("Range", RangeKernel);
}  // namespace infera
