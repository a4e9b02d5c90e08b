// MaxPool, AveragePool and GlobalAveragePool on oneDNN, float32 (and bfloat16, which bf16 mode
// keeps between channels-last convs: src/opt/bf16_activations.cpp), computing on the graph's
// NCHW layout, or on NHWC for their com.infera Nhwc* forms (ops/channels_last.h); no reorders.
// MaxPool with an Indices output, other dtypes and windows oneDNN rejects go to the reference
// kernel, which also does shape inference.
#include "ops/channels_last.h"
#include "ops/conv_geometry.h"
#include "ops/cpu/onednn_common.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;
using dnnl::memory;

struct PoolPlan {
  dnnl::pooling_v2_forward pool;
  memory::desc src, dst, scratchpad;
  dn::BoundArgs args;  // src, dst, scratchpad
};

class PoolOneDnnKernel final : public OpKernel {
 public:
  explicit PoolOneDnnKernel(const KernelInit& init)
      : channels_last_(init.node().domain == "com.infera"),
        global_(base_op(init) == "GlobalAveragePool"),
        max_(base_op(init) == "MaxPool"),
        attrs_(global_ ? SpatialAttrs{} : parse_spatial_attrs(init)),
        count_include_pad_(init.attr_int("count_include_pad", 0) != 0),
        reference_(init.reference_kernel()) {}

  static bool applies(const KernelInit& init) {
    const bool indices = init.node().outputs.size() > 1 && !init.node().outputs[1].empty();
    return !init.config().reference_only && !indices;
  }

  std::string kernel_name() const override { return name("f32"); }
  // A plan on bfloat16 tensors (bf16 mode) says so; unplanned nodes run the reference.
  std::string plan_kernel_name(const void* node_state) const override {
    const auto* plan = static_cast<const PoolPlan*>(node_state);
    if (!plan) return reference_->kernel_name();
    return name(plan->src.data_type() == memory::data_type::bf16 ? "bf16" : "f32");
  }

  void infer(InferContext& ctx) const override { reference_->infer(ctx); }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const bool bf16 = x.dtype() == DType::kBFloat16;
    if ((x.dtype() != DType::kFloat32 && !bf16) || x.rank() < 3 || x.rank() > 5) return nullptr;
    const auto type = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
    dn::set_threads(dn::threads_for_work(ctx.config().threads, visits(x, ctx.output(0))));
    std::shared_ptr<PoolPlan> plan;
    try {
      plan = channels_last_ ? make_plan(channels_first_shape(x.shape()),
                                        channels_first_shape(ctx.output(0).shape()), type)
                            : make_plan(x.shape(), ctx.output(0).shape(), type);
    } catch (const dnnl::error&) {
      return nullptr;
    }
    if (plan) ctx.request_scratch(plan->scratchpad.get_size() + 64);
    return plan;
  }

  void run(RunContext& ctx) const override {
    auto* plan = static_cast<const PoolPlan*>(ctx.node_state());
    if (!plan) return reference_->run(ctx);  // unplanned, other dtypes, unsupported windows
    dn::set_threads(dn::threads_for_work(ctx.threads(), visits(ctx.input(0), ctx.output(0))));
    plan->args.execute(
        plan->pool, dn::thread_stream(),
        {ctx.input(0).raw(), ctx.output(0).raw(), dn::ScratchLayout::piece(ctx.scratch(), 0)});
  }

 private:
  // Each output element visits its window (all of its channel, for global pooling). A visit is
  // weighed as 4 multiply-adds for threads_for_work(): pooling is bound by memory, not
  // arithmetic, and its input was just written by a conv on every core. SqueezeNet's first max
  // pool [1, 64, 111, 111] -> 55x55 (1.7M visits): 0.187 ms on one thread, 0.050 on two.
  double visits(const Tensor& x, const Tensor& y) const {
    double window = 1;
    for (int64_t k : attrs_.kernel_shape) window *= static_cast<double>(k);
    return 4 * (global_ ? static_cast<double>(x.numel()) : static_cast<double>(y.numel()) * window);
  }

  std::string name(const std::string& dtype) const {
    const std::string layout = channels_last_ ? "_nhwc" : "";
    return (global_ ? "global_avg_pool"
            : max_  ? "max_pool"
                    : "avg_pool") +
           layout + "_" + dtype + "_onednn";
  }
  // The ai.onnx op a node computes: "NhwcMaxPool" -> "MaxPool".
  static std::string base_op(const KernelInit& init) {
    const std::string& op = init.node().op_type;
    return init.node().domain == "com.infera" && op.starts_with("Nhwc") ? op.substr(4) : op;
  }
  // Null when the window has no oneDNN equivalent.
  std::shared_ptr<PoolPlan> make_plan(const Shape& x, const Shape& y,
                                      memory::data_type type) const {
    SpatialAttrs attrs = attrs_;
    if (global_) attrs.kernel_shape.assign(x.begin() + 2, x.end());
    if (attrs.kernel_shape.size() + 2 != x.size()) return nullptr;
    SpatialGeometry g;
    if (!resolve_forward_geometry(attrs, x, attrs.kernel_shape.data(), g).empty()) return nullptr;
    memory::dims strides, kernel, dilation, pad_l, pad_r;
    for (int d = kMaxSpatialRank - g.rank; d < kMaxSpatialRank; ++d) {
      const int64_t extent = (g.kernel[d] - 1) * g.dilation[d] + 1;
      // ceil_mode windows may run past pad_end; oneDNN wants that as right padding.
      const int64_t right = (g.out[d] - 1) * g.stride[d] + extent - g.in[d] - g.pad_begin[d];
      if (right < 0 || (count_include_pad_ && !max_ && right != g.pad_end[d])) return nullptr;
      strides.push_back(g.stride[d]);
      kernel.push_back(g.kernel[d]);
      dilation.push_back(g.dilation[d] - 1);
      pad_l.push_back(g.pad_begin[d]);
      pad_r.push_back(right);
    }
    using alg = dnnl::algorithm;
    const alg algorithm = max_                 ? alg::pooling_max
                          : count_include_pad_ ? alg::pooling_avg_include_padding
                                               : alg::pooling_avg_exclude_padding;
    auto plan = std::make_shared<PoolPlan>();
    const int rank = static_cast<int>(x.size());
    const auto tensor_tag = channels_last_ ? dn::channels_last_tag(rank) : dn::plain_tag(rank);
    plan->src = memory::desc(dn::to_dims(x), type, tensor_tag);
    plan->dst = memory::desc(dn::to_dims(y), type, tensor_tag);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm,
                                              plan->src, plan->dst, strides, kernel, dilation,
                                              pad_l, pad_r);
    const dnnl::pooling_v2_forward::primitive_desc pd(desc, attr, dn::cpu_engine());
    plan->pool = dnnl::pooling_v2_forward(pd);
    plan->scratchpad = pd.scratchpad_desc();
    plan->args.bind(DNNL_ARG_SRC, plan->src);
    plan->args.bind(DNNL_ARG_DST, plan->dst);
    plan->args.bind(DNNL_ARG_SCRATCHPAD, plan->scratchpad);
    return plan;
  }

  bool channels_last_, global_, max_;
  SpatialAttrs attrs_;
  bool count_include_pad_;
  std::unique_ptr<OpKernel> reference_;
};

}  // namespace

INFERA_REGISTER_VARIANT("MaxPool", 10, PoolOneDnnKernel);
INFERA_REGISTER_VARIANT("AveragePool", 10, PoolOneDnnKernel);
INFERA_REGISTER_VARIANT("GlobalAveragePool", 10, PoolOneDnnKernel);
static const bool infera_nhwc_pools_onednn = [] {
  for (const char* op : {"NhwcMaxPool", "NhwcAveragePool", "NhwcGlobalAveragePool"})
    register_op({"com.infera", op, 1, 1000, &make_variant_kernel<PoolOneDnnKernel>, 10});
  return true;
}();

}  // namespace infera
