// com.infera NhwcMaxPool, float32, 2-D: each output row's windows by the SIMD table's
// max_pool_nhwc_row (vectors of channels, the reference's visiting order and comparison, so the
// same bits), the rows of all images shared among threads. oneDNN 2.6's jit pooling on NHWC took
// a median 87 us for SqueezeNet's first pool (111x111x64, 3x3 stride 2) at 2 threads, against
// ORT's 58. bf16 mode keeps oneDNN's (pool_onednn.cpp), which pools bfloat16 between convs;
// Indices outputs, other ranks and dtypes go to the reference.
#include "ops/channels_last.h"
#include "ops/conv_geometry.h"
#include "ops/cpu/simd_variant.h"
#include "ops/pool_window.h"

namespace infera {
namespace {

class MaxPoolNhwcF32Kernel final : public SimdVariantKernel {
 public:
  explicit MaxPoolNhwcF32Kernel(const KernelInit& init)
      : SimdVariantKernel(init, "max_pool_nhwc"), attrs_(parse_spatial_attrs(init)) {}

  static bool applies(const KernelInit& init) {
    const bool indices = init.node().outputs.size() > 1 && !init.node().outputs[1].empty();
    return !init.config().reference_only && !init.config().bf16 && !indices;
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4 || attrs_.kernel_shape.size() != 2)
      return reference().run(ctx);
    const SpatialGeometry g = resolve_pool_geometry(attrs_, channels_first_shape(x.shape()),
                                                    nullptr);
    constexpr int h = kMaxSpatialRank - 2, w = kMaxSpatialRank - 1;
    const int64_t images = x.dim(0), channels = x.dim(3);
    const int64_t in_image = g.in[h] * g.in[w] * channels;
    const int64_t out_row = g.out[w] * channels;
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const auto pool_row = simd::simd_kernels().max_pool_nhwc_row;
    // Items are output rows of every image; each is computed alone, so any split gives the
    // same result.
    parallel_ranges(ctx.threads(), images * g.out[h], out_row * g.kernel[h] * g.kernel[w],
                    [&](int64_t r0, int64_t r1) {
                      for (int64_t item = r0; item < r1; ++item) {
                        const int64_t n = item / g.out[h], oy = item % g.out[h];
                        const int64_t o[kMaxSpatialRank] = {0, oy, 0};
                        const PoolWindow window = pool_window(g, o);
                        const int64_t first_row =
                            window.start[h] + window.k_lo[h] * g.dilation[h];
                        simd::MaxPoolNhwcRow row;
                        row.rows = window.k_hi[h] - window.k_lo[h];
                        row.x = in + n * in_image +
                                (row.rows > 0 ? first_row : 0) * g.in[w] * channels;
                        row.x_row_step = g.dilation[h] * g.in[w] * channels;
                        row.y = out + item * out_row;
                        row.out_width = g.out[w];
                        row.in_width = g.in[w];
                        row.channels = channels;
                        row.kernel_w = g.kernel[w];
                        row.stride = g.stride[w];
                        row.pad_begin = g.pad_begin[w];
                        row.dilation = g.dilation[w];
                        pool_row(row);
                      }
                    });
  }

 private:
  SpatialAttrs attrs_;
};

}  // namespace

static const bool infera_max_pool_nhwc_f32 =
    register_op({"com.infera", "NhwcMaxPool", 1, 1000,
                 &make_variant_kernel<MaxPoolNhwcF32Kernel>, 20});

}  // namespace infera
