// Gemm and com.infera.FusedGemm (Y = activation(alpha * A' @ B' + beta * C)) on oneDNN,
// float32. Transposes are read through strides; a constant B is packed once; C is added by a
// broadcasting post-op. beta other than 0 or 1 with a C, and other dtypes, go to the reference.
#include <vector>

#include "ops/cpu/matmul_plan_onednn.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;

class GemmOneDnnKernel final : public OpKernel {
 public:
  explicit GemmOneDnnKernel(const KernelInit& init)
      : alpha_(init.attr_float("alpha", 1.0f)),
        beta_(init.attr_float("beta", 1.0f)),
        trans_a_(init.attr_int("transA", 0) != 0),
        trans_b_(init.attr_int("transB", 0) != 0),
        fused_(init.node().domain == "com.infera"),
        activation_(fused_ ? dn::parse_activation(init) : dn::Activation{}),
        bf16_(init.config().bf16 && dn::cpu_has_bf16()),
        reference_(init.reference_kernel_if_any()) {
    if (const Tensor* b = init.constant_input(1)) constant_b_ = *b;
  }

  static bool applies(const KernelInit& init) { return !init.config().reference_only; }

  std::string kernel_name() const override {
    return bf16_ ? "gemm_bf16_onednn" : "gemm_f32_onednn";
  }

  // Shapes and checks are the reference kernel's: one definition of the op's rules.
  void infer(InferContext& ctx) const override { reference_->infer(ctx); }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (ctx.input(0).dtype() != DType::kFloat32) return nullptr;
    dn::set_threads(dn::threads_for_work(ctx.config().threads, macs(ctx.input(0), ctx.output(0))));
    const Shape* c = ctx.has_input(2) ? &ctx.input(2).shape() : nullptr;
    auto plan = make_plan(ctx.input(0).shape(), ctx.input(1).shape(), c, ctx.packing_threads());
    if (plan) ctx.request_scratch(plan->scratch.request_bytes());
    return plan;
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* c = ctx.has_input(2) && beta_ != 0.f ? &ctx.input(2) : nullptr;
    const void* c_data = c ? c->raw() : nullptr;
    dn::set_threads(dn::threads_for_work(ctx.threads(), macs(a, ctx.output(0))));
    if (auto* plan = static_cast<const dn::MatmulPlan*>(ctx.node_state()))
      return dn::execute_matmul(*plan, a.raw(), b.raw(), c_data, ctx.output(0).raw(),
                                ctx.scratch());
    std::shared_ptr<dn::MatmulPlan> fresh;
    if (a.dtype() == DType::kFloat32)
      fresh = make_plan(a.shape(), b.shape(), c ? &c->shape() : nullptr, ctx.threads());
    if (!fresh) {
      if (!reference_) ctx.fail("no reference kernel for this case");
      return reference_->run(ctx);
    }
    // Unplanned (dynamic or folded) node: allocation is allowed here.
    std::vector<char> scratch(fresh->scratch.request_bytes());
    dn::execute_matmul(*fresh, a.raw(), b.raw(), c_data, ctx.output(0).raw(), scratch.data());
  }

 private:
  // Each output element is a dot product over K.
  // The multiply-adds, or the reading of B's values where that takes longer (batch 1).
  double macs(const Tensor& a, const Tensor& y) const {
    const int64_t k = trans_a_ ? a.dim(0) : a.dim(1);
    return dn::product_work(static_cast<double>(y.numel()) * k,
                            static_cast<double>(k) * y.dim(1));
  }

  // Null when oneDNN does not take the problem.
  std::shared_ptr<dn::MatmulPlan> make_plan(const Shape& a, const Shape& b, const Shape* c,
                                            int packing_threads) const {
    if (c && beta_ != 0.f && beta_ != 1.f) return nullptr;
    const int64_t m = trans_a_ ? a[1] : a[0], k = trans_a_ ? a[0] : a[1];
    const int64_t n = trans_b_ ? b[0] : b[1];
    if (m * n * k == 0) return nullptr;
    dn::MatmulProblem p;
    p.a = {m, k};
    p.b = {k, n};
    p.y = {m, n};
    p.trans_a = trans_a_;
    p.trans_b = trans_b_;
    if (c && beta_ != 0.f) {
      if (c->empty())
        p.c = {1, 1};
      else if (c->size() == 1)
        p.c = {1, (*c)[0]};
      else
        p.c = {(*c)[0], (*c)[1]};
    }
    p.alpha = alpha_;
    p.activation = activation_;
    p.bf16 = bf16_;
    if (constant_b_.defined() && constant_b_.shape() == b) p.constant_b = constant_b_.raw();
    try {
      return dn::make_matmul_plan(p, packed_b_, packing_threads);
    } catch (const dnnl::error&) {
      return nullptr;
    }
  }

  float alpha_, beta_;
  bool trans_a_, trans_b_;
  bool fused_;
  dn::Activation activation_;
  bool bf16_;
  std::unique_ptr<OpKernel> reference_;
  Tensor constant_b_;
  mutable dn::PackedConstantCache packed_b_;
};

}  // namespace

INFERA_REGISTER_VARIANT("Gemm", 10, GemmOneDnnKernel);
static const bool infera_fused_gemm_onednn = ::infera::register_op(
    {"com.infera", "FusedGemm", 1, 1000, &make_variant_kernel<GemmOneDnnKernel>, 10});

}  // namespace infera
