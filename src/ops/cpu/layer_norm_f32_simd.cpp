// Fast float32 LayerNormalization when each normalized row is contiguous (always: the dims from
// `axis` on) and Scale and B cover the whole row (no broadcast inside it). Optional Mean and
// InvStdDev outputs are written when they are float32.
#include "ops/cpu/simd_variant.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class LayerNormF32SimdKernel final : public SimdVariantKernel {
 public:
  explicit LayerNormF32SimdKernel(const KernelInit& init)
      : SimdVariantKernel(init, "layernorm"),
        axis_(init.attr_int("axis", -1)),
        epsilon_(init.attr_float("epsilon", 1e-5f)) {}
  static bool applies(const KernelInit&) { return true; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, x.rank());
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= x.dim(static_cast<int>(d));
    const int64_t n = rows == 0 ? 0 : x.numel() / rows;
    const Tensor& scale = ctx.input(1);
    const Tensor* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    float* stats[2] = {nullptr, nullptr};
    bool ok = x.dtype() == DType::kFloat32 && n > 0 && scale.dtype() == DType::kFloat32 &&
              scale.numel() == n && (!bias || (bias->dtype() == DType::kFloat32 && bias->numel() == n));
    for (int i = 1; ok && i < 3; ++i) {
      if (ctx.num_outputs() <= i || !ctx.has_output(i)) continue;
      ok = ctx.output(i).dtype() == DType::kFloat32;
      if (ok) stats[i - 1] = ctx.output(i).data<float>();
    }
    if (!ok) return reference().run(ctx);
    const float* in = x.data<float>();
    const float* s = scale.data<float>();
    const float* b = bias ? bias->data<float>() : nullptr;
    float* out = ctx.output(0).data<float>();
    const auto row_fn = simd::simd_kernels().layer_norm_row;
    parallel_ranges(ctx.threads(), rows, n * 3, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        float mean, inv;
        row_fn(in + r * n, s, b, out + r * n, n, epsilon_, &mean, &inv);
        if (stats[0]) stats[0][r] = mean;
        if (stats[1]) stats[1][r] = inv;
      }
    });
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace
INFERA_REGISTER_VARIANT("LayerNormalization", 10, LayerNormF32SimdKernel);
}  // namespace infera
