// DynamicQuantizeLinear: quantizes float x to uint8 with a scale and zero point chosen from
// x's range (widened to include 0): scale = (max - min) / 255, zero = round(-min / scale).
#include <algorithm>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant_util.h"

namespace infera {
namespace {

class DynamicQuantizeLinearKernel final : public OpKernel {
 public:
  explicit DynamicQuantizeLinearKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32)
      ctx.fail(std::string("x is ") + dtype_name(x.dtype()) + " but must be float32");
    ctx.set_output(0, DType::kUInt8, x.shape());
    if (ctx.num_outputs() > 1 && ctx.has_output(1)) ctx.set_output(1, DType::kFloat32, {});
    if (ctx.num_outputs() > 2 && ctx.has_output(2)) ctx.set_output(2, DType::kUInt8, {});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const float* in = x.data<float>();
    const int64_t n = x.numel();
    float lo = 0, hi = 0;
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, in[i]);
      hi = std::max(hi, in[i]);
    }
    const float scale = (hi - lo) / 255.0f;
    const uint8_t zero = scale == 0 ? 0 : saturate_round<uint8_t>((0.0f - lo) / scale);
    uint8_t* out = ctx.output(0).data<uint8_t>();
    for (int64_t i = 0; i < n; ++i) {
      const float q = scale == 0 ? 0.0f : in[i] / scale;
      out[i] = saturate_round<uint8_t>(std::rint(static_cast<double>(q)) + zero);
    }
    if (ctx.num_outputs() > 1 && ctx.has_output(1)) *ctx.output(1).data<float>() = scale;
    if (ctx.num_outputs() > 2 && ctx.has_output(2)) *ctx.output(2).data<uint8_t>() = zero;
  }
};

}  // namespace
INFERA_REGISTER_OP("DynamicQuantizeLinear", DynamicQuantizeLinearKernel);
}  // namespace infera
