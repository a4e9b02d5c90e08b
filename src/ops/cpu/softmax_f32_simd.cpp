// Fast float32 Softmax over contiguous rows: from opset 13 when `axis` is the last axis;
// before opset 13 always, since the input coerced to 2-D at `axis` is contiguous rows. Rows
// are split over threads; each row is computed the same way whatever the split.
#include "ops/cpu/simd_variant.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class SoftmaxF32SimdKernel final : public SimdVariantKernel {
 public:
  explicit SoftmaxF32SimdKernel(const KernelInit& init)
      : SimdVariantKernel(init, "softmax"),
        coerce_2d_(init.opset() < 13),
        axis_(init.attr_int("axis", coerce_2d_ ? 1 : -1)) {}
  static bool applies(const KernelInit&) { return true; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, x.rank());
    if (x.dtype() != DType::kFloat32 || x.numel() == 0 || (!coerce_2d_ && axis != x.rank() - 1))
      return reference().run(ctx);
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= x.dim(static_cast<int>(d));
    const int64_t n = x.numel() / rows;
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const auto row_fn = simd::simd_kernels().softmax_row;
    parallel_ranges(ctx.threads(), rows, n * 8, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) row_fn(in + r * n, out + r * n, n);
    });
  }

 private:
  bool coerce_2d_;
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Softmax", 10, SoftmaxF32SimdKernel);
}  // namespace infera
