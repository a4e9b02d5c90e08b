// CumSum: running sum along the axis given by input 1, optionally exclusive (each output
// omits its own element) and/or reversed (sums run from the end).
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class CumSumKernel final : public OpKernel {
 public:
  explicit CumSumKernel(const KernelInit& init)
      : exclusive_(init.attr_int("exclusive", 0) != 0),
        reverse_(init.attr_int("reverse", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& axis = ctx.input(1);
    if (axis.numel() != 1) {
      ctx.fail("axis must hold one value, got shape " + shape_to_string(axis.shape()));
    }
    if (axis.has_data()) normalize_axis(read_scalar_int(axis), x.rank());
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(read_scalar_int(ctx.input(1)), x.rank());
    int64_t outer = 1, len = 1, inner = 1;
    for (int d = 0; d < x.rank(); ++d) {
      (d < axis ? outer : d == axis ? len : inner) *= x.dim(d);
    }
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t start = o * len * inner + i;
          scan(in + start, out + start, len, inner);
        }
      }
    });
  }

 private:
  template <typename T>
  void scan(const T* in, T* out, int64_t len, int64_t stride) const {
    using Acc = std::conditional_t<std::is_integral_v<T>, T, double>;
    Acc sum = Acc(0);
    for (int64_t k = 0; k < len; ++k) {
      const int64_t at = (reverse_ ? len - 1 - k : k) * stride;
      const Acc v = static_cast<Acc>(in[at]);
      if (!exclusive_) sum += v;
      out[at] = T(sum);
      if (exclusive_) sum += v;
    }
  }

  bool exclusive_;
  bool reverse_;
};

}  // namespace
INFERA_REGISTER_OP("CumSum", CumSumKernel);
}  // namespace infera
