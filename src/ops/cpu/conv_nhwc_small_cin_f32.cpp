// com.infera FusedConv with channels_last = 1, float32, for convs with few input channels: one
// (grey first layers) for a plain conv, up to 16 with a fused max pool (below); 2-D, one group,
// output channels a multiple of 16 (conv_nhwc_small_cin_covers). A direct convolution over one
// output row at a time (simd/conv_nhwc_row.h) with the weights packed once as [kh][kw][cin][cout].
// oneDNN 2.6's brgconv handles Cin = 1 badly: about 42 GFLOP/s on the Fashion-MNIST CNN's first
// conv on 2 cores, which made it the model's slowest node. Everything else (other shapes,
// dtypes, SiLU) goes to oneDNN or the reference.
//
// It also computes com.infera FusedConvMaxPool (the conv, then a 2x2 stride-2 max pool, made
// by src/opt/conv_max_pool_fusion.cpp): each conv row is pooled straight from the registers
// into the output row, so the full-resolution output (12.8 MB at batch 256 on Fashion-MNIST)
// is never written and read back. With one input channel and a 3-wide kernel both conv rows
// of a pair are computed together (simd/conv_nhwc_pool_pair.h), the max taken in registers.
#include "ops/cpu/conv_nhwc_small_cin_f32.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "ops/channels_last.h"
#include "ops/conv_geometry.h"
#include "ops/cpu/onednn_common.h"
#include "ops/cpu/simd_variant.h"
#include "ops/fused_activation.h"

namespace infera {
namespace {

// [cout, cin, kh, kw] -> [kh][kw][cin][cout]: one tap's weights for all output channels are
// contiguous, one vector load per 16 channels.
std::vector<float> pack_weights(const Tensor& w) {
  const int64_t cout = w.dim(0), cin = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  std::vector<float> packed(static_cast<size_t>(w.numel()));
  const float* src = w.data<float>();
  for (int64_t m = 0; m < cout; ++m)
    for (int64_t c = 0; c < cin; ++c)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j)
          packed[((i * kw + j) * cin + c) * cout + m] = src[((m * cin + c) * kh + i) * kw + j];
  return packed;
}

FusedActivation read_activation(const KernelInit& init) {
  FusedActivation act;
  if (!FusedActivation::parse(init.attr_string("activation", ""),
                              init.attr_floats("activation_params"), act))
    init.fail("unknown activation or wrong activation_params");
  return act;
}

class ConvNhwcSmallCinF32Kernel final : public SimdVariantKernel {
 public:
  explicit ConvNhwcSmallCinF32Kernel(const KernelInit& init)
      : SimdVariantKernel(init, "conv_nhwc_small_cin"),
        attrs_(parse_spatial_attrs(init)),
        weights_shape_(init.constant_input(1)->shape()),
        weights_(pack_weights(*init.constant_input(1))),
        activation_(read_activation(init)),
        pool_(init.node().op_type == "FusedConvMaxPool") {
    using Kind = FusedActivationKind;
    const float inf = std::numeric_limits<float>::infinity();
    clip_min_ = -inf, clip_max_ = inf;
    switch (activation_.kind) {
      case Kind::kRelu:
        clip_min_ = 0.f;
        break;
      case Kind::kClip:
        clip_min_ = activation_.p0, clip_max_ = activation_.p1;
        break;
      case Kind::kSigmoid:
        row_activation_ = simd::UnaryOp::kSigmoid;
        break;
      case Kind::kTanh:
        row_activation_ = simd::UnaryOp::kTanh;
        break;
      case Kind::kLeakyRelu:
        row_activation_ = simd::UnaryOp::kLeakyRelu;
        break;
      case Kind::kHardSigmoid:
        row_activation_ = simd::UnaryOp::kHardSigmoid;
        break;
      case Kind::kHardSwish:
        row_activation_ = simd::UnaryOp::kHardSwish;
        break;
      default:
        break;
    }
    row_params_ = {activation_.p0, activation_.p1};
  }

  static bool applies(const KernelInit& init) {
    const Tensor* w = init.constant_input(1);
    return !init.config().reference_only && init.attr_int("channels_last", 0) == 1 && w &&
           conv_nhwc_small_cin_covers(
               *w, init.attr_int("group", 1), init.attr_string("activation", ""),
               init.attr_floats("activation_params"), init.node().op_type == "FusedConvMaxPool",
               init.config().bf16);
  }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (ctx.input(0).dtype() != DType::kFloat32 || ctx.input(0).rank() != 4) return nullptr;
    auto plan = std::make_shared<Plan>(make_plan(ctx.input(0).shape()));
    plan->padded_images = ctx.config().threads;
    ctx.request_scratch(plan->padded_images * plan->padded_image * sizeof(float));
    // The row kernel reads each element of Z just before it writes that element of Y.
    if (ctx.has_input(3) && !pool_) ctx.offer_input_buffer(3, 0);
    return plan;
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32 || x.rank() != 4) return reference().run(ctx);
    if (const auto* plan = static_cast<const Plan*>(ctx.node_state()))
      return execute(*plan, ctx, static_cast<float*>(ctx.scratch()));
    // Dynamic or folded node: planning and scratch allocate, which is allowed here.
    Plan plan = make_plan(x.shape());
    plan.padded_images = ctx.threads();
    std::vector<float> padded(plan.padded_images * plan.padded_image);
    execute(plan, ctx, padded.data());
  }

 private:
  struct Plan {
    SpatialGeometry g;
    int64_t padded_h = 0, padded_w = 0;
    // One zero-padded image per thread, of padded_image floats (0: no padding, the kernel
    // reads X directly). In a thread's own buffer the image stays in its cache while the
    // thread computes its rows; a padded copy of the whole batch would be one more pass
    // through memory (4 MB for the Fashion-MNIST CNN's second conv at batch 256).
    size_t padded_image = 0;
    int padded_images = 0;
  };

  Plan make_plan(const Shape& x) const {
    Plan p;
    const std::string err =
        resolve_forward_geometry(attrs_, channels_first_shape(x), weights_shape_.data() + 2, p.g);
    if (!err.empty()) throw Error(ErrorKind::kInvalidArgument, "FusedConv (NHWC): " + err);
    p.padded_h = p.g.in[1] + p.g.pad_begin[1] + p.g.pad_end[1];
    p.padded_w = p.g.in[2] + p.g.pad_begin[2] + p.g.pad_end[2];
    if (p.padded_h != p.g.in[1] || p.padded_w != p.g.in[2])
      p.padded_image = static_cast<size_t>(p.padded_h * p.padded_w * x[3]);
    return p;
  }

  // The zero padding around the image in a thread's buffer: written once per run, as the
  // images copied in after it (copy_image) never touch it.
  static void zero_borders(const Plan& p, int64_t cin, float* padded) {
    const int64_t top = p.g.pad_begin[1], in_h = p.g.in[1], padded_row = p.padded_w * cin;
    const int64_t left = p.g.pad_begin[2] * cin, row = p.g.in[2] * cin;
    std::fill(padded, padded + top * padded_row, 0.f);
    std::fill(padded + (top + in_h) * padded_row, padded + p.padded_h * padded_row, 0.f);
    for (int64_t ih = 0; ih < in_h; ++ih) {
      float* dst = padded + (top + ih) * padded_row;
      std::fill(dst, dst + left, 0.f);
      std::fill(dst + left + row, dst + padded_row, 0.f);
    }
  }

  // Image n of X into the inside of a thread's padded buffer, so the row kernel never checks
  // a bound.
  static void copy_image(const Plan& p, const Tensor& x, int64_t n, float* padded) {
    const int64_t in_h = p.g.in[1], cin = x.dim(3), row = p.g.in[2] * cin;
    const int64_t padded_row = p.padded_w * cin;
    const float* src = x.data<float>() + n * in_h * row;
    float* dst = padded + p.g.pad_begin[1] * padded_row + p.g.pad_begin[2] * cin;
    for (int64_t ih = 0; ih < in_h; ++ih) std::copy_n(src + ih * row, row, dst + ih * padded_row);
  }

  void execute(const Plan& p, RunContext& ctx, float* padded) const {
    const Tensor& x = ctx.input(0);
    const int64_t cout = weights_shape_[0], cin = weights_shape_[1];
    const int64_t kernel_h = weights_shape_[2], kernel_w = weights_shape_[3];
    const float* z = ctx.has_input(3) ? ctx.input(3).data<float>() : nullptr;
    float* y = ctx.output(0).data<float>();
    const int64_t out_w = p.g.out[2], x_row = p.padded_w * cin, x_image = p.padded_h * x_row;
    simd::ConvNhwcRow a{};
    a.x_row_stride = p.g.dilation[1] * x_row;
    a.weights = weights_.data();
    a.bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    a.out_width = out_w, a.in_channels = cin, a.out_channels = cout;
    a.kernel_h = kernel_h, a.kernel_w = kernel_w;
    a.stride = p.g.stride[2], a.dilation = p.g.dilation[2];
    a.clip_min = clip_min_, a.clip_max = clip_max_;
    a.max_pool_2x2 = pool_;
    a.x_pair_step = p.g.stride[1] * x_row;
    const simd::SimdKernels& table = simd::simd_kernels();
    auto conv_row = [&](simd::ConvNhwcRow& row, const float* image, int64_t oh) {
      row.x = image + oh * p.g.stride[1] * x_row;
      table.conv_nhwc_row(row);
    };
    // Activations with no register form run over the finished row while it is in L1. With the
    // pool they run after it: they are monotonic (conv_nhwc_small_cin_covers), so the max of
    // the activations is the activation of the max.
    auto activate = [&](float* row, int64_t floats) {
      if (row_activation_ != simd::UnaryOp::kCount)
        table.unary[static_cast<int>(row_activation_)](row, row, floats, row_params_);
    };
    // Each output row is computed whole by one thread, each conv row in the fixed order of
    // conv_nhwc_row.h, so the bits do not depend on the thread count or the batch.
    const int64_t macs_per_row = out_w * cout * cin * kernel_h * kernel_w;
    const int64_t rows = pool_ ? p.g.out[1] / 2 : p.g.out[1];
    const int64_t row_floats = (pool_ ? out_w / 2 : out_w) * cout;
    const int64_t items = x.dim(0) * rows, item_macs = macs_per_row * (pool_ ? 2 : 1);
    // A multiply-add here is a sixteenth of a vector FMA: the oneDNN kernels' threshold in
    // multiply-adds (2^21), not parallel_ranges' in element operations, says when a second
    // thread pays. Batch 1 of the Fashion-MNIST CNN stays on one thread.
    int threads = onednn::threads_for_work(ctx.threads(), double(items) * item_macs);
    if (p.padded_image > 0) threads = std::min(threads, p.padded_images);
    parallel_ranges_per_thread(threads, items, item_macs, [&](int t, int64_t r0, int64_t r1) {
      simd::ConvNhwcRow row = a;
      float* own = padded + t * p.padded_image;
      int64_t own_n = -1;  // the image now in `own`
      if (p.padded_image > 0 && r0 < r1) zero_borders(p, cin, own);
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t n = r / rows, oh = r % rows;
        const float* image = x.data<float>() + n * x_image;
        if (p.padded_image > 0) {
          if (n != own_n) copy_image(p, x, n, own);
          own_n = n;
          image = own;
        }
        row.y = y + r * row_floats;
        if (pool_) {
          conv_row(row, image, 2 * oh);
        } else {
          row.z = z ? z + r * row_floats : nullptr;
          conv_row(row, image, oh);
        }
        activate(row.y, row_floats);
      }
    });
  }

  SpatialAttrs attrs_;
  Shape weights_shape_;
  std::vector<float> weights_;
  FusedActivation activation_;
  float clip_min_, clip_max_;
  simd::UnaryOp row_activation_ = simd::UnaryOp::kCount;  // kCount: none left after the row
  simd::UnaryParams row_params_;
  bool pool_;  // FusedConvMaxPool
};

}  // namespace

bool conv_nhwc_small_cin_covers(const Tensor& w, int64_t group, const std::string& activation,
                                const std::vector<float>& activation_params, bool pooled,
                                bool bf16) {
  // Measured against oneDNN 2.6 on one core (min of many runs, this AVX-512 machine): at one
  // input channel 3x faster (Fashion-MNIST's first conv at batch 256: 0.82 vs 2.9 ms); at 2 to
  // 16 about even (16 -> 32 at 14x14: 9 vs 10 us at batch 1; RGB stems with stride 2 5-15%
  // slower). So a plain conv only at Cin 1; with the pool fused, which saves a pass through
  // the full-resolution output, up to 16 (4 in bf16 sessions, which leave deeper convs to
  // oneDNN's bfloat16 kernels).
  const int64_t max_in_channels = !pooled ? 1 : bf16 ? 4 : 16;
  constexpr int64_t kOutChannelMultiple = 16;  // whole AVX-512 vectors (two AVX2 ones)
  if (group != 1 || w.dtype() != DType::kFloat32 || w.rank() != 4 || w.dim(1) > max_in_channels ||
      w.dim(0) % kOutChannelMultiple != 0)
    return false;
  FusedActivation act;
  // The vector table has no SiLU; unknown names are left for the reference to report.
  if (!FusedActivation::parse(activation, activation_params, act) ||
      act.kind == FusedActivationKind::kSiLU)
    return false;
  if (!pooled) return true;
  // Pooled, the activations without a register form run after the max: they must not
  // decrease anywhere (HardSwish dips below zero; a negative slope reverses the order).
  switch (act.kind) {
    case FusedActivationKind::kHardSwish:
      return false;
    case FusedActivationKind::kLeakyRelu:
    case FusedActivationKind::kHardSigmoid:
      return act.p0 >= 0;
    default:
      return true;
  }
}

static const bool infera_conv_nhwc_small_cin_f32 = register_op(
    {"com.infera", "FusedConv", 1, 1000, &make_variant_kernel<ConvNhwcSmallCinF32Kernel>, 20});
static const bool infera_conv_max_pool_nhwc_small_cin_f32 =
    register_op({"com.infera", "FusedConvMaxPool", 1, 1000,
                 &make_variant_kernel<ConvNhwcSmallCinF32Kernel>, 20});

}  // namespace infera
