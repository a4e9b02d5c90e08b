// com.infera NhwcGlobalAveragePool, float32: per image, the mean over H*W rows of C contiguous
// channels. oneDNN 2.6's pooling on NHWC treats the whole plane as one window and took 0.2-2 ms
// per squeeze-excite block of EfficientNet-B0 (about a fifth of the model's time). Here each
// block of 16 channels is summed down the plane by the SIMD table's column_sums (four partial
// sums in flight), the blocks shared among threads: the 32 channels at 112x112 still make two.
#include "ops/cpu/simd_variant.h"

namespace infera {
namespace {

class GlobalAvgPoolNhwcF32Kernel final : public SimdVariantKernel {
 public:
  explicit GlobalAvgPoolNhwcF32Kernel(const KernelInit& init)
      : SimdVariantKernel(init, "global_avg_pool_nhwc") {}
  static bool applies(const KernelInit& init) { return !init.config().reference_only; }
  std::string kernel_name() const override { return "global_avg_pool_nhwc_f32_rows"; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() < 3) return reference().run(ctx);
    const int64_t batch = x.dim(0), channels = x.dim(x.rank() - 1);
    const int64_t plane = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    // One item is a block of channels of one image: independent sums, any split of the items
    // over threads gives the same result.
    constexpr int64_t kBlock = 16;
    const int64_t blocks = (channels + kBlock - 1) / kBlock;
    const auto column_sums = simd::simd_kernels().column_sums;
    const float scale = plane > 0 ? 1.f / static_cast<float>(plane) : 0.f;
    parallel_ranges(ctx.threads(), batch * blocks, plane * kBlock, [&](int64_t b0, int64_t b1) {
      for (int64_t item = b0; item < b1; ++item) {
        const int64_t n = item / blocks, c0 = item % blocks * kBlock;
        const int64_t width = std::min(kBlock, channels - c0);
        float* sums = out + n * channels + c0;
        column_sums(in + n * plane * channels + c0, plane, channels, width, sums);
        for (int64_t c = 0; c < width; ++c) sums[c] *= scale;
      }
    });
  }
};

}  // namespace

static const bool infera_global_avg_pool_nhwc_f32 =
    register_op({"com.infera", "NhwcGlobalAveragePool", 1, 1000,
                 &make_variant_kernel<GlobalAvgPoolNhwcF32Kernel>, 20});

}  // namespace infera
