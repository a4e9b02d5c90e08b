// ConvTranspose on oneDNN (deconvolution), float32, with X and Y in the graph's NCHW layout.
// The weights must be an initializer; they are packed once per layout. Geometry (output_shape,
// output_padding, auto_pad) comes from the reference's helper; windows oneDNN rejects and
// other dtypes go to the reference kernel, which also does shape inference.
#include <unordered_map>

#include "ops/conv_geometry.h"
#include "ops/cpu/onednn_common.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;
using dnnl::memory;

struct DeconvPlan {
  dnnl::deconvolution_forward deconv;
  memory::desc src, dst, bias, scratchpad;
  memory weights;
};

// ONNX stores W as [C_in, C_out/group, k...]; oneDNN names it [G, C_out/G, C_in/G, k...] and
// reads ONNX's order through a permuted tag.
memory::desc onnx_weights_desc(const Shape& w, int64_t group) {
  using tag = memory::format_tag;
  const int spatial = static_cast<int>(w.size()) - 2;
  memory::dims dims{group, w[1], w[0] / group};
  dims.insert(dims.end(), w.begin() + 2, w.end());
  static const tag tags[] = {tag::acbd, tag::acbde, tag::acbdef};  // g, i, o, k...
  return memory::desc(dims, memory::data_type::f32, tags[spatial - 1]);
}

class ConvTransposeOneDnnKernel final : public OpKernel {
 public:
  explicit ConvTransposeOneDnnKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)),
        group_(init.attr_int("group", 1)),
        weights_(*init.constant_input(1)),
        reference_(init.reference_kernel()) {}

  static bool applies(const KernelInit& init) {
    const Tensor* w = init.constant_input(1);
    return !init.config().reference_only && w && w->dtype() == DType::kFloat32 &&
           w->rank() >= 3 && w->rank() <= 5 && init.attr_int("group", 1) >= 1 &&
           w->dim(0) % init.attr_int("group", 1) == 0;
  }

  std::string kernel_name() const override { return "conv_transpose_f32_onednn"; }

  void infer(InferContext& ctx) const override { reference_->infer(ctx); }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (ctx.input(0).dtype() != DType::kFloat32) return nullptr;
    dn::set_threads(ctx.config().threads);
    std::shared_ptr<DeconvPlan> plan;
    try {
      plan = make_plan(ctx.input(0).shape(), ctx.output(0).shape(), ctx.has_input(2),
                       ctx.packing_threads());
    } catch (const dnnl::error&) {
      return nullptr;
    }
    if (plan) ctx.request_scratch(plan->scratchpad.get_size() + 64);
    return plan;
  }

  void run(RunContext& ctx) const override {
    auto* plan = static_cast<const DeconvPlan*>(ctx.node_state());
    if (!plan) return reference_->run(ctx);  // unplanned, other dtypes, unsupported windows
    dn::set_threads(ctx.threads());
    dnnl::stream& s = dn::thread_stream();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, dn::wrap(plan->src, ctx.input(0).raw())},
        {DNNL_ARG_WEIGHTS, plan->weights},
        {DNNL_ARG_DST, dn::wrap(plan->dst, ctx.output(0).raw())},
        {DNNL_ARG_SCRATCHPAD,
         dn::wrap(plan->scratchpad, dn::ScratchLayout::piece(ctx.scratch(), 0))}};
    if (ctx.has_input(2)) args.emplace(DNNL_ARG_BIAS, dn::wrap(plan->bias, ctx.input(2).raw()));
    plan->deconv.execute(s, args);
    s.wait();
  }

 private:
  std::shared_ptr<DeconvPlan> make_plan(const Shape& x, const Shape& y, bool has_bias,
                                        int packing_threads) const {
    SpatialGeometry g;
    if (!resolve_transpose_geometry(attrs_, x, weights_.shape().data() + 2, g).empty())
      return nullptr;
    memory::dims strides, dilations, pad_l, pad_r;
    for (int d = kMaxSpatialRank - g.rank; d < kMaxSpatialRank; ++d) {
      const int64_t extent = (g.kernel[d] - 1) * g.dilation[d] + 1;
      strides.push_back(g.stride[d]);
      dilations.push_back(g.dilation[d] - 1);
      pad_l.push_back(g.pad_begin[d]);
      // output_padding and output_shape show up as less right padding.
      pad_r.push_back((g.in[d] - 1) * g.stride[d] + extent - g.pad_begin[d] - g.out[d]);
    }
    auto plan = std::make_shared<DeconvPlan>();
    plan->src = dn::plain_desc(x);
    plan->dst = dn::plain_desc(y);
    if (has_bias) plan->bias = memory::desc({y[1]}, memory::data_type::f32, memory::format_tag::a);
    const memory::desc plain_w = onnx_weights_desc(weights_.shape(), group_);
    const memory::desc w_any(plain_w.dims(), memory::data_type::f32, memory::format_tag::any);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const dnnl::deconvolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, plan->src,
        w_any, plan->bias, plan->dst, strides, dilations, pad_l, pad_r);
    const dnnl::deconvolution_forward::primitive_desc pd(desc, attr, dn::cpu_engine());
    plan->deconv = dnnl::deconvolution_forward(pd);
    plan->scratchpad = pd.scratchpad_desc();
    plan->weights =
        packed_weights_.get(plain_w, weights_.raw(), pd.weights_desc(), packing_threads);
    return plan;
  }

  SpatialAttrs attrs_;
  int64_t group_;
  Tensor weights_;
  std::unique_ptr<OpKernel> reference_;
  mutable dn::PackedConstantCache packed_weights_;
};

}  // namespace

INFERA_REGISTER_VARIANT("ConvTranspose", 10, ConvTransposeOneDnnKernel);

}  // namespace infera
