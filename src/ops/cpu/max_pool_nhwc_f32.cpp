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

  // The geometry, resolved once: the channels-first shape it is resolved from is a vector.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (!covers(ctx.input(0))) return nullptr;
    return std::make_shared<SpatialGeometry>(geometry(ctx.input(0)));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!covers(x)) return reference().run(ctx);
    if (const auto* g = static_cast<const SpatialGeometry*>(ctx.node_state())) return pool(*g, ctx);
    pool(geometry(x), ctx);  // dynamic or folded node: allocating is allowed here
  }

 private:
  static constexpr int kH = kMaxSpatialRank - 2, kW = kMaxSpatialRank - 1;

  bool covers(const Tensor& x) const {
    return x.dtype() == DType::kFloat32 && x.rank() == 4 && attrs_.kernel_shape.size() == 2;
  }
  SpatialGeometry geometry(const Tensor& x) const {
    return resolve_pool_geometry(attrs_, channels_first_shape(x.shape()), nullptr);
  }

  void pool(const SpatialGeometry& g, RunContext& ctx) const {
    const Tensor& x = ctx.input(0);
    const int64_t rows = x.dim(0) * g.out[kH], channels = x.dim(3);
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const auto pool_row = simd::simd_kernels().max_pool_nhwc_row;
    // Items are the output rows of every image; each is computed alone, so any split gives the
    // same result.
    parallel_ranges(ctx.threads(), rows, g.out[kW] * channels * g.kernel[kH] * g.kernel[kW],
                    [&](int64_t r0, int64_t r1) {
                      for (int64_t r = r0; r < r1; ++r)
                        pool_row(output_row(g, r, channels, in, out));
                    });
  }

  // Output row `r` of all images' rows [N * out_height], and the input rows its windows read.
  static simd::MaxPoolNhwcRow output_row(const SpatialGeometry& g, int64_t r, int64_t channels,
                                         const float* x, float* y) {
    const int64_t image = r / g.out[kH];
    const int64_t o[kMaxSpatialRank] = {0, r % g.out[kH], 0};
    const PoolWindow window = pool_window(g, o);
    const int64_t in_row = g.in[kW] * channels;
    simd::MaxPoolNhwcRow row;
    row.rows = window.k_hi[kH] - window.k_lo[kH];
    const int64_t first = row.rows > 0 ? window.start[kH] + window.k_lo[kH] * g.dilation[kH] : 0;
    row.x = x + (image * g.in[kH] + first) * in_row;
    row.x_row_step = g.dilation[kH] * in_row;
    row.y = y + r * g.out[kW] * channels;
    row.out_width = g.out[kW];
    row.in_width = g.in[kW];
    row.channels = channels;
    row.kernel_w = g.kernel[kW];
    row.stride = g.stride[kW];
    row.pad_begin = g.pad_begin[kW];
    row.dilation = g.dilation[kW];
    return row;
  }

  SpatialAttrs attrs_;
};

}  // namespace

static const bool infera_max_pool_nhwc_f32 = register_op(
    {"com.infera", "NhwcMaxPool", 1, 1000, &make_variant_kernel<MaxPoolNhwcF32Kernel>, 20});

}  // namespace infera
