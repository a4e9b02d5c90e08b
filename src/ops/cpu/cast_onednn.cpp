// Cast between float32 and bfloat16 as a oneDNN reorder (vectorized, threaded, rounding to
// nearest even like the reference): the Casts bf16 mode puts where float32 values enter and
// leave its bfloat16 regions (src/opt/bf16_activations.cpp) cost a few percent of a ResNet-50
// batch on the scalar reference. Every other pair of types goes to the reference kernel.
#include "ops/cpu/onednn_common.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;
using dnnl::memory;

struct CastPlan {
  dnnl::reorder reorder;
  dn::BoundArgs args;  // src, dst
};

// The oneDNN type of a dtype this kernel converts, or undef.
memory::data_type converted_type(DType dtype) {
  if (dtype == DType::kFloat32) return memory::data_type::f32;
  if (dtype == DType::kBFloat16) return memory::data_type::bf16;
  return memory::data_type::undef;
}

class CastOneDnnKernel final : public OpKernel {
 public:
  explicit CastOneDnnKernel(const KernelInit& init) : reference_(init.reference_kernel()) {}

  static bool applies(const KernelInit& init) {
    const Attribute* to = init.node().find_attribute("to");
    return !init.config().reference_only && to && to->type == Attribute::Type::kInt &&
           converted_type(static_cast<DType>(to->i)) != memory::data_type::undef;
  }

  std::string kernel_name() const override { return "cast_f32_bf16_onednn"; }

  void infer(InferContext& ctx) const override { reference_->infer(ctx); }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const memory::data_type from = converted_type(x.dtype());
    const memory::data_type to = converted_type(ctx.output(0).dtype());
    if (from == memory::data_type::undef || to == memory::data_type::undef || from == to ||
        x.numel() == 0)
      return nullptr;
    dn::set_threads(dn::threads_for_work(ctx.config().threads, static_cast<double>(x.numel())));
    const memory::dims flat{x.numel()};
    const memory::desc src(flat, from, memory::format_tag::a);
    const memory::desc dst(flat, to, memory::format_tag::a);
    auto plan = std::make_shared<CastPlan>();
    plan->reorder = dnnl::reorder({dn::cpu_engine(), src, dn::cpu_engine(), dst});
    plan->args.bind(DNNL_ARG_FROM, src);
    plan->args.bind(DNNL_ARG_TO, dst);
    return plan;
  }

  void run(RunContext& ctx) const override {
    auto* plan = static_cast<const CastPlan*>(ctx.node_state());
    if (!plan) return reference_->run(ctx);  // unplanned, or other types
    const Tensor& x = ctx.input(0);
    dn::set_threads(dn::threads_for_work(ctx.threads(), static_cast<double>(x.numel())));
    plan->args.execute(plan->reorder, dn::thread_stream(), {x.raw(), ctx.output(0).raw()});
  }

 private:
  std::unique_ptr<OpKernel> reference_;
};

}  // namespace

INFERA_REGISTER_VARIANT("Cast", 10, CastOneDnnKernel);

}  // namespace infera
