// Conv and com.infera.FusedConv (Y = activation(conv(X, W, B) + Z)) on oneDNN, float32.
//
// The weights must be an initializer: they are reordered once into the layout the primitive
// picks and cached by layout, so plans of different input shapes share them. FusedConv with
// `channels_last = 1` (made by src/opt/channels_last_layout.cpp) computes on its NHWC tensors
// directly. Channels-first tensors: 1x1 convs compute on them directly, others in the layout
// oneDNN picks (NHWC on AVX-512), which run() reorders into and out of through arena scratch.
// 3x3 stride-1 float32 convs with enough channels compute with Winograd: channels-last ones on
// AVX-512 CPUs with our F(2x2, 3x3) or F(4x4, 3x3) (make_own_winograd()), others with oneDNN's
// (winograd_kernel()).
// Channels-last 1x1 convs that widen and sum a residual run our SIMD kernel instead
// (make_own_pointwise(); 1x1 convs on a 1x1 map likewise, make_vector_matrix()).
// bf16 mode computes with bfloat16 X and W (f32 Y). bfloat16 X, W and Y (made by
// src/opt/bf16_activations.cpp) compute with no conversion at all, on CPUs with native bf16.
// Other dtypes go to the reference kernel.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/deferred_bytes.h"
#include "core/file_pages.h"
#include "ops/channels_last.h"
#include "ops/conv_geometry.h"
#include "ops/conv_shape.h"
#include "ops/cpu/conv1x1_tiled_sgemm.h"
#include "ops/cpu/onednn_common.h"
#include "ops/cpu/simd_variant.h"
#include "ops/cpu/winograd_weights.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;
using dnnl::memory;

// Everything one input shape needs; built by prepare() (or in run() for unplanned nodes). Each
// primitive's arguments are bound once (dn::BoundArgs), so a run creates no oneDNN objects.
struct ConvPlan {
  dnnl::convolution_forward conv;
  memory::desc plain_src, plain_dst, src, dst, bias, scratchpad;
  memory weights;
  bool reorder_src = false, reorder_dst = false;
  dnnl::reorder src_in, dst_in, dst_out;          // X -> src, Z -> dst, dst -> Y
  std::vector<dnnl::eltwise_forward> activation;  // in place on Y, when not a post-op
  dn::BoundArgs conv_args, src_in_args, dst_in_args, dst_out_args;
  std::array<dn::BoundArgs, 2> activation_args;  // eltwise_steps() gives at most two
  dn::ScratchLayout scratch;
  size_t src_offset = 0, dst_offset = 0, pad_offset = 0;
  dn::PointwiseConvShape pointwise;  // batch > 0: deterministic 1x1 in fixed sgemm tiles
  bool winograd = false;
  bool silu_pass = false;  // SiLU runs as our SIMD pass over Y after the conv
  // A 1x1 conv on a 1x1 map (squeeze-and-excitation) is a vector-matrix product per image:
  // the SIMD table's, with W as [Cin][Cout], then `map_activation` over Y. oneDNN took 15-19 us
  // per call for these 50-220 K multiply-adds.
  bool vector_matrix = false;
  std::vector<float> w_by_input;  // [Cin][w_stride]: Cout padded with zeros
  int64_t w_stride = 0;
  simd::UnaryOp map_activation = simd::UnaryOp::kCount;  // kCount: none
  // A channels-last 1x1 conv summing a residual: our kernel (simd/pointwise_conv_nhwc.h), on
  // the weights packed once for its block (pointwise_weights_). Null: not this path.
  decltype(simd::SimdKernels::pointwise_conv_nhwc) pointwise_nhwc = nullptr;
  const float* pointwise_w = nullptr;
  simd::PointwiseSource pointwise_source;  // all but x, which a run fills in
  bool pointwise_relu = false;
  // A channels-last 3x3 stride-1 conv through our Winograd F(2x2, 3x3) or F(4x4, 3x3) path
  // (simd/winograd_nhwc.h): transforms around 16 or 36 pointwise products per chunk of tiles,
  // on the weights packed once (winograd_weights_). Each thread works in its own piece of the
  // scratch: room for `winograd_threads`.
  bool winograd_nhwc = false;
  simd::WinogradTiles winograd_tiles;
  int64_t winograd_chunk = 0;  // tiles transformed together
  bool winograd_split_channels = false;  // threads share each chunk, each its output blocks
  size_t winograd_offset = 0;
  int64_t winograd_v_floats = 0, winograd_m_floats = 0;  // one V, one M piece of the scratch
  int winograd_threads = 1;
  bool winograd_relu = false;
  // > 1: every desc above is one image's, and a run reorders, convolves and reorders back
  // image by image (deterministic Winograd); X, Z and Y advance by these strides.
  int64_t images = 1;
  size_t x_image_bytes = 0, y_image_bytes = 0;
};

// oneDNN's tags for grouped weights [G, OC/G, IC/G, k...] are the plain tag one rank up.
memory::desc plain_weights_desc(const Shape& w, int64_t group, memory::data_type type) {
  if (group == 1) return dn::plain_desc(w, type);
  Shape g = w;
  g[0] = w[0] / group;
  g.insert(g.begin(), group);
  return dn::plain_desc(g, type);
}

class ConvOneDnnKernel final : public OpKernel {
 public:
  explicit ConvOneDnnKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)),
        group_(init.attr_int("group", 1)),
        fused_(init.node().domain == "com.infera"),
        channels_last_(fused_ && init.attr_int("channels_last", 0) == 1),
        activation_(fused_ ? dn::parse_activation(init) : dn::Activation{}),
        weights_(*init.constant_input(1)),
        bf16_(init.config().bf16 && dn::cpu_has_bf16()),
        bf16_tensors_(weights_.dtype() == DType::kBFloat16),
        deterministic_(init.config().deterministic),
        reference_(init.reference_kernel_if_any()) {
    if (group_ < 1) init.fail("group " + std::to_string(group_) + " must be positive");
  }

  static bool applies(const KernelInit& init) {
    const Tensor* w = init.constant_input(1);
    return !init.config().reference_only && w &&
           (w->dtype() == DType::kFloat32 || w->dtype() == DType::kBFloat16) && w->rank() >= 3 &&
           w->rank() <= 5;
  }

  std::string kernel_name() const override {
    if (bf16_tensors_) return "conv_bf16_tensors_onednn";
    return bf16_ ? "conv_bf16_onednn" : "conv_f32_onednn";
  }
  // W is read by packing it (dn::PackedConstantCache), or materialized first.
  bool reads_deferred_input(int i) const override { return i == 1; }
  std::string plan_kernel_name(const void* node_state) const override {
    const auto* plan = static_cast<const ConvPlan*>(node_state);
    if (plan && plan->winograd) return "conv_f32_winograd_onednn";
    if (plan && plan->winograd_nhwc)
      return std::string(plan->winograd_tiles.tile == 4 ? "conv_f32_winograd_f4x3_nhwc_"
                                                         : "conv_f32_winograd_f2x3_nhwc_") +
             simd::simd_kernels().isa;
    if (plan && plan->vector_matrix) return "conv_f32_vector_matrix";
    if (plan && plan->pointwise_nhwc)
      return std::string("conv_f32_pointwise_nhwc_") + simd::simd_kernels().isa;
    return kernel_name();
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (w.dtype() != x.dtype())
      ctx.fail(std::string("W is ") + dtype_name(w.dtype()) + " but X is " + dtype_name(x.dtype()));
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Shape y;
    if (channels_last_) {
      if (x.rank() < 3)
        ctx.fail("channels-last X " + shape_to_string(x.shape()) + " needs rank 3+");
      const Tensor x_first = Tensor::meta(x.dtype(), channels_first_shape(x.shape()));
      y = channels_last_shape(infer_conv_shape(ctx, attrs_, group_, x_first, w, b));
    } else {
      y = infer_conv_shape(ctx, attrs_, group_, x, w, b);
    }
    if (fused_ && ctx.has_input(3) && ctx.input(3).shape() != y)
      ctx.fail("Z has shape " + shape_to_string(ctx.input(3).shape()) + " but Y has " +
               shape_to_string(y));
    ctx.set_output(0, x.dtype(), std::move(y));
  }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (!computes(ctx.input(0).dtype())) {
      materialize(weights_);  // the reference reads W
      return nullptr;
    }
    dn::set_threads(dn::threads_for_work(ctx.config().threads, macs(ctx.output(0))));
    auto plan = make_plan(logical_x(ctx.input(0)), ctx.has_input(2), ctx.has_input(3),
                          ctx.packing_threads(), ctx.config().threads);
    ctx.request_scratch(plan->scratch.request_bytes());
    // The sum post-op reads each element of Z from Y, so Z's buffer can become Y's.
    if (ctx.has_input(3)) ctx.offer_input_buffer(3, 0);
    return plan;
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!computes(x.dtype())) {
      if (!reference_) ctx.fail("no reference kernel for this input");
      materialize(weights_);  // an unplanned node; a copy at most once, no allocation
      return reference_->run(ctx);
    }
    dn::set_threads(dn::threads_for_work(ctx.threads(), macs(ctx.output(0))));
    auto* plan = static_cast<const ConvPlan*>(ctx.node_state());
    if (plan) return execute(*plan, ctx, ctx.scratch());
    // Unplanned (dynamic or folded) node: build the plan now; allocation is allowed here.
    auto fresh = make_plan(logical_x(x), ctx.has_input(2), ctx.has_input(3), ctx.threads(),
                           ctx.threads());
    std::vector<char> scratch(fresh->scratch.request_bytes());
    execute(*fresh, ctx, scratch.data());
  }

 private:
  // float32 X and W, or bfloat16 ones where the CPU has bf16 dot products (oneDNN would
  // otherwise pick a slow generic kernel).
  bool computes(DType x) const {
    return x == weights_.dtype() && (x == DType::kFloat32 || dn::cpu_has_bf16());
  }
  // Each output element is a dot product over one group's slice of the weights.
  double macs(const Tensor& y) const {
    return static_cast<double>(y.numel()) * static_cast<double>(weights_.numel() / weights_.dim(0));
  }
  // X's shape in oneDNN's (and ONNX's) logical order [N, C, spatial...].
  Shape logical_x(const Tensor& x) const {
    return channels_last_ ? channels_first_shape(x.shape()) : x.shape();
  }
  std::shared_ptr<ConvPlan> make_plan(const Shape& x, bool has_bias, bool has_z,
                                      int packing_threads, int run_threads) const;
  void execute(const ConvPlan& plan, RunContext& ctx, void* scratch) const;
  bool make_vector_matrix(ConvPlan& plan, const SpatialGeometry& g) const;
  bool make_own_pointwise(ConvPlan& plan, const SpatialGeometry& g, bool has_z) const;
  bool make_own_winograd(ConvPlan& plan, const SpatialGeometry& g, const Shape& x,
                         int packing_threads, int run_threads) const;
  void execute_own_winograd(const ConvPlan& plan, RunContext& ctx, void* scratch) const;

  SpatialAttrs attrs_;
  int64_t group_;
  bool fused_;
  bool channels_last_;
  dn::Activation activation_;
  Tensor weights_;
  bool bf16_;
  bool bf16_tensors_;  // X, W, B, Z and Y are all bfloat16
  bool deterministic_;
  std::unique_ptr<OpKernel> reference_;
  mutable dn::PackedConstantCache packed_weights_;
  // W for make_own_pointwise's kernel, packed once for `pointwise_block_` output channels.
  mutable std::once_flag pointwise_once_;
  mutable Tensor pointwise_weights_;
  mutable int64_t pointwise_block_ = 0;
  // W for make_own_winograd's path, transformed and packed once for `winograd_block_`, [0]
  // for F(2x2, 3x3) and [1] for F(4x4, 3x3) (the choice follows the map's size).
  mutable std::once_flag winograd_once_[2];
  mutable Tensor winograd_weights_[2];
  mutable int64_t winograd_block_ = 0;
};

// A transcendental costs several plain adds (as in unary_f32_simd.cpp): weighs the threshold
// below which the SiLU pass stays on one thread.
constexpr int64_t kSiluCostPerElement = 8;

bool is_pointwise(const SpatialGeometry& g) {
  for (int d = 0; d < kMaxSpatialRank; ++d)
    if (g.kernel[d] != 1 || g.stride[d] != 1 || g.pad_begin[d] != 0 || g.pad_end[d] != 0)
      return false;
  return true;
}

// Whether X and Y stay in the graph's NCHW layout for this conv. Measured on ResNet-50 (2
// cores): a 1x1 stride-1 conv is a plain GEMM over NCHW and beats the NHWC kernel plus the two
// reorders it needs; spatial and strided convs are 2-3x faster in the layout oneDNN picks even
// after paying the reorders. INFERA_ONEDNN_CONV_LAYOUT=plain|any overrides, for measuring.
bool conv_keeps_plain_layout(const SpatialGeometry& g) {
  static const std::string forced = [] {
    const char* v = std::getenv("INFERA_ONEDNN_CONV_LAYOUT");
    return std::string(v ? v : "");
  }();
  if (forced == "plain") return true;
  if (forced == "any") return false;
  return is_pointwise(g);
}

// The oneDNN Winograd kernel a conv computes with, or null for the direct one (channels-last
// convs on AVX-512 try our own Winograd before: make_own_winograd()). Winograd does
// 4x (F(4x4, 3x3), jit_wino_4x3) or 2.25x (F(2x2, 3x3), jit_fp32_wino_2x3) fewer multiplies, at
// float32 rounding error, and computes in nChw16c, so X and Y are reordered in and out. Measured
// on this AVX-512 CPU, 2 cores (docs/DECISIONS.md): F(4x4) wins from 20x20 outputs up at any batch
// with 64 input channels or more (ResNet-50's 56x56 and 28x28 3x3s); below that its weights, 4x
// the direct kernel's, cost more than it saves at batch 1, while F(2x2) still pays from 14x14
// (ResNet-50's 14x14, SqueezeNet's 27x27 ones with 32 input channels; not SqueezeNet's 13x13 or
// anyone's 7x7). F(2x2) has no kernel for large batches, so it serves only
// `one_image` plans (deterministic mode, which runs image by image); there the choice never
// depends on the batch size. Otherwise, from batch 8 the weights are shared by enough tiles for
// F(4x4) to pay down to 7x7 outputs. INFERA_ONEDNN_CONV_ALGO=direct turns Winograd off.
const char* winograd_kernel(const SpatialGeometry& g, const Shape& x, const Shape& y,
                            memory::data_type compute, bool one_image) {
  static const bool disabled = [] {
    const char* v = std::getenv("INFERA_ONEDNN_CONV_ALGO");
    return v && std::string(v) == "direct";
  }();
  if (disabled || compute != memory::data_type::f32 || g.rank != 2) return nullptr;
  int64_t smallest_out = INT64_MAX;
  for (int d = kMaxSpatialRank - 2; d < kMaxSpatialRank; ++d) {
    if (g.kernel[d] != 3 || g.stride[d] != 1 || g.dilation[d] != 1) return nullptr;
    smallest_out = std::min(smallest_out, g.out[d]);
  }
  constexpr int64_t kSimdChannels = 16;  // the kernels' channel block
  if (x[1] % kSimdChannels != 0 || y[1] % kSimdChannels != 0) return nullptr;
  // The transforms cost per input and output channel, the saving per product of both: with
  // SqueezeNet's 16 input channels (55x55) the direct kernel was faster in the model, and with
  // its 32 (27x27) so was it against F(4x4) (0.80 vs 0.87 ms per run for those four convs,
  // 3 alternating profiles), while F(2x2), with 16/36 of F(4x4)'s transformed weights,
  // took those two convs to 0.78 of the time (6 alternating profiles; the model 0.957-0.967).
  if (x[1] < 32) return nullptr;
  if (x[1] >= 64 && smallest_out >= 20) return "jit_wino_4x3";
  if (one_image && smallest_out >= 14) return "jit_fp32_wino_2x3";
  if (x[1] < 64) return nullptr;
  if (!one_image && x[0] >= 8 && smallest_out >= 7) return "jit_wino_4x3";
  return nullptr;
}

// The primitive of oneDNN's Winograd implementation `kernel`, or nothing when this CPU or oneDNN
// build has none for it. Always the one named: oneDNN would pick F(2x2, 3x3) for some batch sizes
// and F(4x4, 3x3) for others, and their results differ in the last bits.
std::optional<dnnl::convolution_forward::primitive_desc> winograd_primitive(
    const dnnl::convolution_forward::desc& desc, const dnnl::primitive_attr& attr,
    const std::string& kernel) {
  try {
    dnnl::convolution_forward::primitive_desc pd(desc, attr, dn::cpu_engine(), true);
    do {
      if (std::string(pd.impl_info_str()).rfind(kernel, 0) == 0) return pd;
    } while (pd.next_impl());
  } catch (const dnnl::error&) {
  }
  return std::nullopt;
}

std::shared_ptr<ConvPlan> ConvOneDnnKernel::make_plan(const Shape& x_batch, bool has_bias,
                                                      bool has_z, int packing_threads,
                                                      int run_threads) const {
  SpatialGeometry g;
  Shape x = x_batch;
  const std::string err = resolve_forward_geometry(attrs_, x, weights_.shape().data() + 2, g);
  if (!err.empty()) throw Error(ErrorKind::kInvalidArgument, "Conv (oneDNN): " + err);
  const int off = kMaxSpatialRank - g.rank;
  memory::dims strides, dilations, pad_l, pad_r;
  Shape y{x[0], weights_.dim(0)};
  for (int d = off; d < kMaxSpatialRank; ++d) {
    strides.push_back(g.stride[d]);
    dilations.push_back(g.dilation[d] - 1);  // oneDNN counts the gaps
    pad_l.push_back(g.pad_begin[d]);
    pad_r.push_back(g.pad_end[d]);
    y.push_back(g.out[d]);
  }
  auto plan = std::make_shared<ConvPlan>();
  if (!bf16_ && !bf16_tensors_ && !has_z && make_vector_matrix(*plan, g)) return plan;
  if (make_own_pointwise(*plan, g, has_z)) return plan;
  if (make_own_winograd(*plan, g, x, packing_threads, run_threads)) return plan;
  const int rank = static_cast<int>(x.size());
  const auto tensor_tag = channels_last_ ? dn::channels_last_tag(rank) : dn::plain_tag(rank);
  const auto tensors = bf16_tensors_ ? memory::data_type::bf16 : memory::data_type::f32;
  const auto compute = bf16_ || bf16_tensors_ ? memory::data_type::bf16 : memory::data_type::f32;
  // Winograd in deterministic mode is built for one image and runs image by image: its blocking
  // (and with it the order of the channel sums) follows the batch's tile count otherwise. One
  // image at a time, the reorders' buffers also stay in cache.
  const char* winograd_wanted = winograd_kernel(g, x, y, compute, deterministic_);
  if (winograd_wanted && deterministic_) {
    plan->images = x[0];
    x[0] = y[0] = 1;
  }
  plan->plain_src = memory::desc(dn::to_dims(x), tensors, tensor_tag);
  plan->plain_dst = memory::desc(dn::to_dims(y), tensors, tensor_tag);
  plan->x_image_bytes = plan->plain_src.get_size();
  plan->y_image_bytes = plan->plain_dst.get_size();
  const auto layout =
      channels_last_ || conv_keeps_plain_layout(g) ? tensor_tag : memory::format_tag::any;
  const memory::desc src_any(dn::to_dims(x), compute, layout);
  const memory::desc dst_any(dn::to_dims(y), tensors, layout);
  const memory::desc w_plain = plain_weights_desc(weights_.shape(), group_, tensors);
  const memory::desc w_any(w_plain.dims(), compute, memory::format_tag::any);
  if (has_bias) plan->bias = memory::desc({y[1]}, tensors, memory::format_tag::a);

  // oneDNN 2.6's GEMM convolution (what plain layouts get) applies eltwise post-ops slowly:
  // there the activation runs as a separate in-place pass over Y instead. SiLU on a float32 Y
  // always does, with our kernel: oneDNN's swish more than doubled the time of EfficientNet's
  // expand convs (16 -> 96 channels at 112x112: 0.15-0.17 ms bare, 0.40 with swish, 0.30 with
  // the pass; docs/DECISIONS.md).
  const bool plain = layout != memory::format_tag::any && !channels_last_;
  plan->silu_pass = activation_.name == "SiLU" && tensors == memory::data_type::f32;
  dnnl::post_ops ops;
  if (has_z) ops.append_sum(1.f);
  if (!plain && !plan->silu_pass) dn::append_activation(ops, activation_);
  for (const dn::EltwiseStep& step : plain && !plan->silu_pass ? dn::eltwise_steps(activation_)
                                                               : std::vector<dn::EltwiseStep>{}) {
    const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, step.algorithm,
                                        plan->plain_dst, step.alpha, step.beta);
    dn::BoundArgs& args = plan->activation_args.at(plan->activation.size());
    args.bind(DNNL_ARG_SRC, plan->plain_dst);
    args.bind(DNNL_ARG_DST, plan->plain_dst);
    plan->activation.emplace_back(dnnl::eltwise_forward::primitive_desc(d, dn::cpu_engine()));
  }
  // oneDNN's gemm convolution may split the IC sum among threads (see conv1x1_tiled_sgemm.h).
  if (deterministic_ && plain && !bf16_tensors_ && group_ == 1 && is_pointwise(g)) {
    materialize(weights_);  // each run's sgemm reads it
    plan->pointwise = {x[0], x[1], y[1], shape_numel(Shape(x.begin() + 2, x.end()))};
    plan->src = plan->plain_src;
    plan->dst = plan->plain_dst;
    return plan;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  std::optional<dnnl::convolution_forward::primitive_desc> winograd;
  if (winograd_wanted) {
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_winograd,
        memory::desc(dn::to_dims(x), compute, memory::format_tag::any), w_any, plan->bias,
        memory::desc(dn::to_dims(y), tensors, memory::format_tag::any), strides, dilations, pad_l,
        pad_r);
    winograd = winograd_primitive(desc, attr, winograd_wanted);
  }
  const auto pd = winograd ? *winograd : [&]() -> dnnl::convolution_forward::primitive_desc {
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_any, w_any,
        plan->bias, dst_any, strides, dilations, pad_l, pad_r);
    return {desc, attr, dn::cpu_engine()};
  }();
  plan->conv = dnnl::convolution_forward(pd);
  plan->winograd = winograd.has_value();
  plan->src = pd.src_desc();
  plan->dst = pd.dst_desc();
  plan->scratchpad = pd.scratchpad_desc();
  plan->weights =
      packed_weights_.get(w_plain, weights_, pd.weights_desc(), packing_threads);

  plan->conv_args.bind(DNNL_ARG_SRC, plan->src);
  plan->conv_args.bind_fixed(DNNL_ARG_WEIGHTS, plan->weights);
  plan->conv_args.bind(DNNL_ARG_DST, plan->dst);
  plan->conv_args.bind(DNNL_ARG_SCRATCHPAD, plan->scratchpad);
  if (has_bias) plan->conv_args.bind(DNNL_ARG_BIAS, plan->bias);

  auto& eng = dn::cpu_engine();
  plan->reorder_src = plan->src != plan->plain_src;
  plan->reorder_dst = plan->dst != plan->plain_dst;
  auto make_reorder = [&](dnnl::reorder& reorder, dn::BoundArgs& args, const memory::desc& from,
                          const memory::desc& to) {
    reorder = dnnl::reorder({eng, from, eng, to});
    args.bind(DNNL_ARG_FROM, from);
    args.bind(DNNL_ARG_TO, to);
  };
  if (plan->reorder_src) {
    make_reorder(plan->src_in, plan->src_in_args, plan->plain_src, plan->src);
    plan->src_offset = plan->scratch.reserve(plan->src.get_size());
  }
  if (plan->reorder_dst) {
    if (has_z) make_reorder(plan->dst_in, plan->dst_in_args, plan->plain_dst, plan->dst);
    make_reorder(plan->dst_out, plan->dst_out_args, plan->dst, plan->plain_dst);
    plan->dst_offset = plan->scratch.reserve(plan->dst.get_size());
  }
  plan->pad_offset = plan->scratch.reserve(plan->scratchpad.get_size());
  return plan;
}

// True (and the plan filled) when the conv is 1x1 on a 1x1 map, one group, with no activation
// or one the vector table has.
bool ConvOneDnnKernel::make_vector_matrix(ConvPlan& plan, const SpatialGeometry& g) const {
  if (group_ != 1 || weights_.dtype() != DType::kFloat32) return false;
  for (int d = kMaxSpatialRank - g.rank; d < kMaxSpatialRank; ++d)
    if (g.in[d] != 1 || g.out[d] != 1 || g.kernel[d] != 1 || g.pad_begin[d] != 0) return false;
  const std::string& act = activation_.name;
  if (act == "SiLU") plan.map_activation = simd::UnaryOp::kSiLU;
  else if (act == "Sigmoid") plan.map_activation = simd::UnaryOp::kSigmoid;
  else if (act == "Relu") plan.map_activation = simd::UnaryOp::kRelu;
  else if (!act.empty()) return false;
  const int64_t cout = weights_.dim(0), cin = weights_.numel() / cout;
  constexpr int64_t kRowMultiple = 16;  // whole vectors at every SIMD level
  plan.w_stride = (cout + kRowMultiple - 1) / kRowMultiple * kRowMultiple;
  plan.w_by_input.assign(static_cast<size_t>(cin * plan.w_stride), 0.f);
  materialize(weights_);
  const float* w = weights_.data<float>();
  for (int64_t o = 0; o < cout; ++o)
    for (int64_t i = 0; i < cin; ++i) plan.w_by_input[i * plan.w_stride + o] = w[o * cin + i];
  plan.vector_matrix = true;
  return true;
}

// Which pointwise convs our kernel takes. INFERA_POINTWISE_KERNEL=all also gives it those
// without a residual, =residual only those with one, =onednn none; for measuring.
bool own_pointwise_wanted(bool has_z, bool strided) {
  static const std::string forced = [] {
    const char* v = std::getenv("INFERA_POINTWISE_KERNEL");
    return std::string(v ? v : "");
  }();
  if (forced == "onednn") return false;
  if (forced == "residual") return has_z;
  return has_z || strided || forced == "all";
}

// The input geometry of a 1x1 conv our pointwise kernel can read: no padding, and stride 1,
// or one stride on both axes of a 1-D or 2-D map. Null otherwise.
std::optional<simd::PointwiseSource> pointwise_source(const SpatialGeometry& g, int64_t cin) {
  const int h = kMaxSpatialRank - 2, w = kMaxSpatialRank - 1;
  for (int d = 0; d < kMaxSpatialRank; ++d)
    if (g.kernel[d] != 1 || g.pad_begin[d] != 0 || g.pad_end[d] != 0) return std::nullopt;
  simd::PointwiseSource source;
  source.in_channels = cin;
  if (is_pointwise(g)) return source;
  if (g.rank > 2 || (g.rank == 2 && g.stride[h] != g.stride[w])) return std::nullopt;
  source.stride = g.stride[w];
  source.out_height = g.out[h];
  source.out_width = g.out[w];
  source.in_height = g.in[h];
  source.in_width = g.in[w];
  return source;
}

// A channels-last float32 1x1 conv with a Relu or no activation and whole blocks of output
// channels, on a CPU with AVX-512 (elsewhere the tile spills registers): our kernel when it
// sums a residual Z, which it adds as it writes Y (oneDNN's NHWC kernels read Z back slowly),
// or when it is strided (ResNet's downsamples: oneDNN's brgconv_1x1 took 0.88-0.96 ms for the
// 512 -> 1024 one at 14x14, batch 1, 2 threads, ORT 0.60). Only convs that widen (at least 2x
// the input channels: every ResNet bottleneck's last conv and downsample), where Y and Z are
// large against the products; on the narrowing projections of MobileNetV2 (384 -> 64) and
// EfficientNet-B0 (1152 -> 192) oneDNN's kernels were faster (0.16 vs 0.185 ms and 0.32 vs
// 0.37 for those groups of convs).
bool ConvOneDnnKernel::make_own_pointwise(ConvPlan& plan, const SpatialGeometry& g,
                                          bool has_z) const {
  const simd::SimdKernels& table = simd::simd_kernels();
  if (!channels_last_ || bf16_ || bf16_tensors_ || group_ != 1 ||
      std::string(table.isa) != "avx512" ||
      (!activation_.name.empty() && activation_.name != "Relu"))
    return false;
  const std::optional<simd::PointwiseSource> source =
      pointwise_source(g, weights_.numel() / weights_.dim(0));
  if (!source || !own_pointwise_wanted(has_z, source->stride > 1)) return false;
  const int64_t cout = weights_.dim(0), cin = weights_.numel() / cout;
  if (cout % table.pointwise_block != 0 || cout < 2 * cin) return false;
  std::call_once(pointwise_once_, [&] {
    pointwise_block_ = table.pointwise_block;
    pointwise_weights_ = Tensor::empty(DType::kFloat32, {cout * cin});
    float* packed = pointwise_weights_.data<float>();
    const int64_t block = pointwise_block_;
    with_bytes(weights_, [&](const void* bytes) {
      const float* w = static_cast<const float*>(bytes);  // [cout][cin]
      // A transpose per block, 16 input channels at a time: the 64 rows' cache lines read and
      // the 4 KB written stay in L1 (column by column it took ~13 ms of ResNet-50's prepare).
      constexpr int64_t kChunk = 16;
      for (int64_t m0 = 0; m0 < cout; m0 += block)
        for (int64_t c0 = 0; c0 < cin; c0 += kChunk)
          for (int64_t j = 0; j < block; ++j)
            for (int64_t c = c0; c < std::min(cin, c0 + kChunk); ++c)
              packed[m0 * cin + c * block + j] = w[(m0 + j) * cin + c];
      release_file_pages(bytes, weights_.nbytes());  // as the oneDNN packing does
    });
  });
  if (pointwise_block_ != table.pointwise_block) return false;  // a test switched levels
  plan.pointwise_nhwc = table.pointwise_conv_nhwc;
  plan.pointwise_w = pointwise_weights_.data<float>();
  plan.pointwise_source = *source;
  plan.pointwise_relu = activation_.name == "Relu";
  return true;
}

// Tiles a thread transforms together when threads split the tiles: whole 6-row tiles of the
// products, with V and M (one block of output channels at a time) in L2 (24 and 48 were slower
// on ResNet-50).
constexpr int64_t kWinogradChunkTiles = 36;

int64_t tiles_of(const simd::WinogradTiles& g) {
  return g.images * g.tiles_down * g.tiles_across;
}

// Whether threads share each chunk of tiles and split the output channels: when each thread
// would otherwise get few tiles to stream all of U past and the blocks split evenly. ResNet-50
// at batch 1, 2 threads: its 7x7 convs 0.57-0.64 ms each against 0.74 split by tiles, its
// 14x14 ones 0.34-0.36 against 0.37; its 28x28 ones (196 tiles) 0.33 against 0.32.
bool split_winograd_channels(int64_t tiles, int64_t blocks, int64_t work_per_tile,
                             int threads) {
  if (threads < 2 || blocks % threads != 0 || tiles * work_per_tile < kMinParallelWork)
    return false;
  return tiles < 2 * kWinogradChunkTiles * threads;
}

// Tiles transformed together. Shared by the threads, up to 64 (V for ResNet-50's 49 tiles of
// 256 channels: 800 KB), in chunks as even as they can be.
int64_t winograd_chunk_tiles(int64_t tiles, bool split_channels) {
  if (!split_channels) return kWinogradChunkTiles;
  constexpr int64_t kMaxShared = 64;
  const int64_t chunks = (tiles + kMaxShared - 1) / kMaxShared;
  return (tiles + chunks - 1) / chunks;
}

// Which 3x3 convs our Winograd path takes, and with which output tile (0: none): those with 32
// input channels or more (with 16, as SqueezeNet's at 55x55, the transforms cost what the
// products save: 0.25-0.28 ms for two convs against oneDNN's direct 0.27); F(4x4, 3x3) from
// 20x20 outputs, F(2x2, 3x3) below. The tile follows one image's geometry only, so an image
// gets the same bits alone as in a batch. Measured per node at batch 1, 2 threads
// (docs/DECISIONS.md): F(4x4) against F(2x2) took 0.70 of the time for ResNet-50's 56x56 convs,
// 0.74 for its 28x28 ones and 0.82 for SqueezeNet's 27x27 ones (32 input channels), but 1.1-1.2
// at 14x14 and 13x13 (2.25x the transformed weights to stream for 16 tiles an image, and the
// tiles cover 16x16) and 1.5 at 7x7. F(2x2) against oneDNN's kernels (its F(4x4) at 56x56 and
// 28x28, F(2x2) at 14x14, direct at 7x7 and 13x13), 6 alternating profiles: ResNet-50's groups
// at 14x14 and 7x7 0.92 and 0.89 of the time (the 1x1 convs of those shapes included),
// SqueezeNet's 13x13 groups 0.86-0.87. INFERA_WINOGRAD_KERNEL=onednn turns the path off, =own
// takes every conv it can; INFERA_WINOGRAD_TILE=2|4 forces a tile; for measuring.
int own_winograd_tile(const SpatialGeometry& g, int64_t cin) {
  static const std::string forced = [] {
    const char* v = std::getenv("INFERA_WINOGRAD_KERNEL");
    return std::string(v ? v : "");
  }();
  static const int forced_tile = [] {
    const char* v = std::getenv("INFERA_WINOGRAD_TILE");
    return v ? std::atoi(v) : 0;
  }();
  if (forced == "onednn" || (forced != "own" && cin < 32)) return 0;
  if (forced_tile == 2 || forced_tile == 4) return forced_tile;
  const int64_t smallest_out = std::min(g.out[kMaxSpatialRank - 2], g.out[kMaxSpatialRank - 1]);
  return smallest_out >= 20 ? 4 : 2;
}

// A channels-last float32 3x3 stride-1 conv with a Relu or no activation, input channels in
// whole vectors and output channels in whole blocks of the pointwise kernel, on an AVX-512 CPU
// (the products are that kernel's): our Winograd path when own_winograd_tile() gives a tile.
bool ConvOneDnnKernel::make_own_winograd(ConvPlan& plan, const SpatialGeometry& g,
                                         const Shape& x, int packing_threads,
                                         int run_threads) const {
  const simd::SimdKernels& table = simd::simd_kernels();
  if (!channels_last_ || bf16_ || bf16_tensors_ || group_ != 1 || g.rank != 2 ||
      std::string(table.isa) != "avx512" ||
      (!activation_.name.empty() && activation_.name != "Relu"))
    return false;
  for (int d = kMaxSpatialRank - 2; d < kMaxSpatialRank; ++d)
    if (g.kernel[d] != 3 || g.stride[d] != 1 || g.dilation[d] != 1) return false;
  const int64_t cout = weights_.dim(0), cin = weights_.dim(1);
  constexpr int64_t kVector = 16;  // the transforms' channel step at every level
  if (cin % kVector != 0 || cout % table.pointwise_block != 0) return false;
  const int tile = own_winograd_tile(g, cin);
  if (tile == 0) return false;
  const int64_t positions = (tile + 2) * (tile + 2);
  Tensor& packed = winograd_weights_[tile == 4];
  std::call_once(winograd_once_[tile == 4], [&] {
    winograd_block_ = table.pointwise_block;
    packed = Tensor::empty(DType::kFloat32, {positions * cout * cin});
    with_bytes(weights_, [&](const void* bytes) {
      dn::pack_winograd_blocked(static_cast<const float*>(bytes), static_cast<int>(cout),
                                static_cast<int>(cin), tile, static_cast<int>(winograd_block_),
                                packed.data<float>(), packing_threads);
      release_file_pages(bytes, weights_.nbytes());  // read back from the file if needed again
    });
  });
  if (winograd_block_ != table.pointwise_block) return false;  // a test switched levels
  const int h = kMaxSpatialRank - 2, w = kMaxSpatialRank - 1;
  plan.winograd_tiles = {.images = x[0],
                         .in_height = g.in[h],
                         .in_width = g.in[w],
                         .in_channels = cin,
                         .out_height = g.out[h],
                         .out_width = g.out[w],
                         .out_channels = cout,
                         .pad_top = g.pad_begin[h],
                         .pad_left = g.pad_begin[w],
                         .tile = tile,
                         .tiles_down = (g.out[h] + tile - 1) / tile,
                         .tiles_across = (g.out[w] + tile - 1) / tile};
  const int64_t tiles = tiles_of(plan.winograd_tiles);
  plan.winograd_threads = std::max(1, run_threads);
  const int64_t blocks = cout / winograd_block_;
  plan.winograd_split_channels =
      split_winograd_channels(tiles, blocks, positions * cin * cout, plan.winograd_threads);
  plan.winograd_chunk = winograd_chunk_tiles(tiles, plan.winograd_split_channels);
  // Split by tiles, each thread has its own V and M; split by channels, V is shared.
  const int64_t v_floats = positions * plan.winograd_chunk * cin;
  plan.winograd_m_floats = (positions * plan.winograd_chunk * winograd_block_ + 15) / 16 * 16;
  plan.winograd_v_floats = (v_floats + 15) / 16 * 16;  // each piece on its own cache line
  const int64_t pieces = plan.winograd_split_channels ? 1 : plan.winograd_threads;
  plan.winograd_offset = plan.scratch.reserve(
      sizeof(float) * static_cast<size_t>(pieces * plan.winograd_v_floats +
                                          plan.winograd_threads * plan.winograd_m_floats));
  plan.winograd_relu = activation_.name == "Relu";
  plan.winograd_nhwc = true;
  return true;
}

// Chunk by chunk of tiles: the chunk's input patches are transformed into V; for each block of
// output channels the 16 positions' products M[pos] = V[pos] x U[pos] come from the pointwise
// kernel, and M is transformed into Y. Threads take contiguous ranges of tiles, or, with few
// tiles, share each chunk (its transform split by tiles) and take ranges of output blocks, so
// each streams only its part of U. A tile's outputs are computed the same way in every case.
void ConvOneDnnKernel::execute_own_winograd(const ConvPlan& p, RunContext& ctx,
                                            void* scratch) const {
  const simd::SimdKernels& table = simd::simd_kernels();
  const simd::WinogradTiles& g = p.winograd_tiles;
  const float* x = ctx.input(0).data<float>();
  const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  const float* z = ctx.has_input(3) ? ctx.input(3).data<float>() : nullptr;
  float* y = ctx.output(0).data<float>();
  const bool f4x4 = g.tile == 4;
  const float* u = winograd_weights_[f4x4].data<float>();
  const auto input = table.winograd_input[f4x4];
  const auto output = table.winograd_output[f4x4];
  const int positions = static_cast<int>((g.tile + 2) * (g.tile + 2));
  const int64_t cin = g.in_channels, cout = g.out_channels, block = winograd_block_;
  const int64_t tiles = tiles_of(g), chunk = p.winograd_chunk;
  auto* base = reinterpret_cast<float*>(dn::ScratchLayout::piece(scratch, p.winograd_offset));
  const int threads = std::min(ctx.threads(), p.winograd_threads);
  // Output blocks [b0, b1) of tiles [c0, c1), whose V (positions n * cin floats apart) is done.
  auto products_and_output = [&](const float* v, float* m, int64_t c0, int64_t c1, int64_t b0,
                                 int64_t b1) {
    const int64_t n = c1 - c0;
    for (int64_t b = b0 * block; b < b1 * block; b += block) {
      for (int pos = 0; pos < positions; ++pos) {
        simd::PointwiseSource source;
        source.x = v + pos * n * cin;
        source.in_channels = cin;
        table.pointwise_conv_nhwc(source, 0, n, u + (pos * cout + b) * cin, nullptr, nullptr,
                                  m + pos * n * block, block, block, false);
      }
      output(g, m, n * block, c0, c1, b, block, bias, z, y, p.winograd_relu);
    }
  };
  if (!p.winograd_split_channels || threads == 1) {
    parallel_ranges_per_thread(
        threads, tiles, positions * cin * cout, [&](int thread, int64_t t0, int64_t t1) {
          float* v = base + thread * (p.winograd_v_floats + p.winograd_m_floats);
          float* m = v + p.winograd_v_floats;
          for (int64_t c0 = t0; c0 < t1; c0 += chunk) {
            const int64_t c1 = std::min(t1, c0 + chunk);
            input(g, x, c0, c1, v, (c1 - c0) * cin);
            products_and_output(v, m, c0, c1, 0, cout / block);
          }
        });
    return;
  }
  const int64_t blocks = cout / block;
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    float* v = base;
    float* m = base + p.winograd_v_floats + t * p.winograd_m_floats;
    for (int64_t c0 = 0; c0 < tiles; c0 += chunk) {
      const int64_t c1 = std::min(tiles, c0 + chunk), n = c1 - c0;
      const int64_t mine0 = c0 + n * t / nt, mine1 = c0 + n * (t + 1) / nt;
      input(g, x, mine0, mine1, v + (mine0 - c0) * cin, n * cin);
#pragma omp barrier
      products_and_output(v, m, c0, c1, blocks * t / nt, blocks * (t + 1) / nt);
#pragma omp barrier
    }
  }
}

void ConvOneDnnKernel::execute(const ConvPlan& p, RunContext& ctx, void* scratch) const {
  if (p.winograd_nhwc) return execute_own_winograd(p, ctx, scratch);
  if (p.pointwise_nhwc) {
    Tensor& y = ctx.output(0);
    const int64_t cout = weights_.dim(0);
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    const float* z = ctx.has_input(3) ? ctx.input(3).data<float>() : nullptr;
    simd::PointwiseSource source = p.pointwise_source;
    source.x = ctx.input(0).data<float>();
    float* y_data = y.data<float>();
    const int64_t pixels = y.numel() / cout, block = pointwise_block_, blocks = cout / block;
    // Every output element is computed the same way whatever a thread's range. Threads split
    // the pixels while each gets 96 or more (16 of the kernel's 6-pixel tiles); fewer pixels
    // (late layers at batch 1) split the channels instead, so each thread streams half of W
    // rather than all of it.
    constexpr int64_t kPixelsPerThread = 96;
    const int64_t cin = source.in_channels;
    if (pixels >= kPixelsPerThread * ctx.threads() || blocks < 2) {
      parallel_ranges(ctx.threads(), pixels, cin * cout, [&](int64_t p0, int64_t p1) {
        p.pointwise_nhwc(source, p0, p1, p.pointwise_w, bias, z, y_data, cout, cout,
                         p.pointwise_relu);
      });
    } else {
      parallel_ranges(ctx.threads(), blocks, pixels * cin * block, [&](int64_t b0, int64_t b1) {
        const int64_t m = b0 * block;
        p.pointwise_nhwc(source, 0, pixels, p.pointwise_w + m * cin, bias ? bias + m : nullptr,
                         z ? z + m : nullptr, y_data + m, cout, (b1 - b0) * block,
                         p.pointwise_relu);
      });
    }
    return;
  }
  if (p.vector_matrix) {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t images = x.dim(0), cin = x.numel() / images, cout = y.numel() / images;
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    const simd::SimdKernels& table = simd::simd_kernels();
    // Images are independent: a batch splits among threads without changing any sum.
    parallel_ranges(ctx.threads(), images, cin * cout, [&](int64_t n0, int64_t n1) {
      table.vector_matrix(x.data<float>() + n0 * cin, n1 - n0, p.w_by_input.data(), p.w_stride,
                          bias, cin, cout, y.data<float>() + n0 * cout);
    });
    if (p.map_activation != simd::UnaryOp::kCount)
      table.unary[static_cast<int>(p.map_activation)](y.data<float>(), y.data<float>(), y.numel(),
                                                      simd::UnaryParams{});
    return;
  }
  dnnl::stream& s = dn::thread_stream();
  Tensor& y = ctx.output(0);
  if (p.pointwise.batch > 0) {
    if (ctx.has_input(3) && ctx.input(3).raw() != y.raw())
      std::memcpy(y.raw(), ctx.input(3).raw(), y.nbytes());  // the sgemm sums into Y
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    dn::conv1x1_nchw_f32_tiled_sgemm(p.pointwise, ctx.input(0).data<float>(),
                                     weights_.data<float>(), bias, ctx.has_input(3),
                                     y.data<float>(), ctx.threads());
  } else {
    void* pad = dn::ScratchLayout::piece(scratch, p.pad_offset);
    const void* bias = ctx.has_input(2) ? ctx.input(2).raw() : nullptr;
    for (int64_t i = 0; i < p.images; ++i) {
      const void* x = static_cast<const char*>(ctx.input(0).raw()) + i * p.x_image_bytes;
      void* y_image = static_cast<char*>(y.raw()) + i * p.y_image_bytes;
      const void* src = p.reorder_src ? dn::ScratchLayout::piece(scratch, p.src_offset) : x;
      void* dst = p.reorder_dst ? dn::ScratchLayout::piece(scratch, p.dst_offset) : y_image;
      if (p.reorder_src) p.src_in_args.execute(p.src_in, s, {x, src});
      if (ctx.has_input(3)) {  // the residual Z is summed into Y by the sum post-op
        const void* z = static_cast<const char*>(ctx.input(3).raw()) + i * p.y_image_bytes;
        if (p.reorder_dst)
          p.dst_in_args.execute(p.dst_in, s, {z, dst});
        else if (z != y_image)
          std::memcpy(y_image, z, p.y_image_bytes);
      }
      if (bias)
        p.conv_args.execute(p.conv, s, {src, nullptr, dst, pad, bias});
      else
        p.conv_args.execute(p.conv, s, {src, nullptr, dst, pad});
      if (p.reorder_dst) p.dst_out_args.execute(p.dst_out, s, {dst, y_image});
    }
  }
  for (size_t k = 0; k < p.activation.size(); ++k)
    p.activation_args[k].execute(p.activation[k], s, {y.raw(), y.raw()});
  if (p.silu_pass) {
    float* out = y.data<float>();
    const simd::UnaryFn silu = simd::simd_kernels().unary[static_cast<int>(simd::UnaryOp::kSiLU)];
    parallel_chunks(ctx.threads(), y.numel(), kSiluCostPerElement, [&](int64_t begin, int64_t end) {
      silu(out + begin, out + begin, end - begin, simd::UnaryParams{});
    });
  }
}

}  // namespace

INFERA_REGISTER_VARIANT("Conv", 10, ConvOneDnnKernel);
static const bool infera_fused_conv_onednn = ::infera::register_op(
    {"com.infera", "FusedConv", 1, 1000, &make_variant_kernel<ConvOneDnnKernel>, 10});

}  // namespace infera
