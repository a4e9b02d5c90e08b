// PRelu: y = x where x >= 0, slope * x elsewhere; slope broadcasts to x numpy-style. Opset 6
// and earlier had no broadcasting rule: a 1-D slope of x's channel count (dim 1) applies per
// channel, which is what exporters of that era (PyTorch) relied on.
#include <span>
#include <string>

#include "ops/elementwise_common.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class PReluKernel final : public OpKernel {
 public:
  explicit PReluKernel(const KernelInit& init) : per_channel_legacy_(init.opset() < 7) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, TypeFamily::kNumeric);
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    if (slope.dtype() != x.dtype()) {
      ctx.fail(std::string("slope should be ") + dtype_name(x.dtype()) + " like X, got " +
               dtype_name(slope.dtype()));
    }
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> s = slope_dims(x.shape(), slope.shape(), buf);
    Shape out;
    try {
      out = broadcast_shapes(x.shape(), Shape(s.begin(), s.end()));
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
    if (out != x.shape()) {
      ctx.fail("slope of shape " + shape_to_string(slope.shape()) + " must broadcast to X " +
               shape_to_string(x.shape()));
    }
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& slope = ctx.input(1);
    Tensor& y = ctx.output(0);
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> ins[2] = {x.shape(), slope_dims(x.shape(), slope.shape(), buf)};
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      const T* ps = slope.data<T>();
      T* out = y.data<T>();
      for_each_broadcast_n<2>(y.shape(), ins, [&](int64_t i, const int64_t(&off)[2]) {
        const C v = C(px[off[0]]);
        out[i] = v < C(0) ? T(C(ps[off[1]]) * v) : px[off[0]];
      });
    });
  }

 private:
  // The slope's shape as numpy broadcasting should see it: [C] becomes [C, 1, ..., 1] under
  // the legacy per-channel rule.
  std::span<const int64_t> slope_dims(const Shape& x, const Shape& slope,
                                      int64_t (&buf)[kMaxBroadcastRank]) const {
    const size_t rank = x.size();
    if (!per_channel_legacy_ || slope.size() != 1 || rank < 3 || rank > kMaxBroadcastRank ||
        slope[0] != x[1] || slope[0] == 1) {
      return slope;
    }
    buf[0] = slope[0];
    for (size_t d = 1; d + 1 < rank; ++d) buf[d] = 1;
    return {buf, rank - 1};
  }

  bool per_channel_legacy_;
};

}  // namespace
INFERA_REGISTER_OP("PRelu", PReluKernel);
}  // namespace infera
