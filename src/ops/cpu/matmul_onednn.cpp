// MatMul and com.infera.FusedMatMul (Y = activation(A @ B + bias), bias 1-D over N) on oneDNN,
// float32, numpy batch broadcasting. A constant B is packed once. FusedMatMul's a_perm, b_perm
// and y_perm (Transposes folded in by src/opt/matmul_transpose_fusion.cpp) become strides of
// the operands: attention reads its heads straight out of [seq, heads, dim] tensors. Other
// dtypes, and ranks beyond what oneDNN takes, go to the reference kernel.
#include <algorithm>
#include <array>
#include <vector>

#include "ops/cpu/matmul_plan_onednn.h"
#include "ops/matmul_shape.h"
#include "ops/op.h"

namespace infera {
namespace {

namespace dn = onednn;
using dnnl::memory;

constexpr int kMaxOneDnnMatmulRank = 6;

class MatMulOneDnnKernel final : public OpKernel {
 public:
  explicit MatMulOneDnnKernel(const KernelInit& init)
      : fused_(init.node().domain == "com.infera"),
        activation_(fused_ ? dn::parse_activation(init) : dn::Activation{}),
        bf16_(init.config().bf16 && dn::cpu_has_bf16()),
        reference_(init.reference_kernel_if_any()) {
    if (const Tensor* b = init.constant_input(1)) constant_b_ = *b;
    if (fused_)
      perms_ = {init.attr_ints("a_perm"), init.attr_ints("b_perm"), init.attr_ints("y_perm")};
  }

  static bool applies(const KernelInit& init) { return !init.config().reference_only; }

  std::string kernel_name() const override {
    return bf16_ ? "matmul_bf16_onednn" : "matmul_f32_onednn";
  }

  // Shapes and checks are the reference kernel's: one definition of the op's rules.
  void infer(InferContext& ctx) const override { reference_->infer(ctx); }

  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (ctx.input(0).dtype() != DType::kFloat32) return nullptr;
    dn::set_threads(dn::threads_for_work(ctx.config().threads, macs(ctx.input(0), ctx.output(0))));
    auto plan = make_plan(ctx.input(0).shape(), ctx.input(1).shape(), ctx.has_input(2),
                          ctx.packing_threads());
    if (plan) ctx.request_scratch(plan->scratch.request_bytes());
    return plan;
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const void* bias = ctx.has_input(2) ? ctx.input(2).raw() : nullptr;
    dn::set_threads(dn::threads_for_work(ctx.threads(), macs(a, ctx.output(0))));
    if (auto* plan = static_cast<const dn::MatmulPlan*>(ctx.node_state()))
      return dn::execute_matmul(*plan, a.raw(), b.raw(), bias, ctx.output(0).raw(), ctx.scratch());
    std::shared_ptr<dn::MatmulPlan> fresh;
    if (a.dtype() == DType::kFloat32)
      fresh = make_plan(a.shape(), b.shape(), bias != nullptr, ctx.threads());
    if (!fresh) {
      if (!reference_) ctx.fail("no reference kernel for this case");
      return reference_->run(ctx);
    }
    // Unplanned (dynamic or folded) node: allocation is allowed here.
    std::vector<char> scratch(fresh->scratch.request_bytes());
    dn::execute_matmul(*fresh, a.raw(), b.raw(), bias, ctx.output(0).raw(), scratch.data());
  }

 private:
  // The multiply-adds (each output a dot product over A's last logical dim), or the reading
  // of B's values where that takes longer (a few rows of A).
  double macs(const Tensor& a, const Tensor& y) const {
    const Shape logical_a = permuted_shape(a.shape(), perms_[0]);
    const double k = static_cast<double>(logical_a.empty() ? 1 : logical_a.back());
    const int64_t m = y.rank() >= 2 ? y.dim(y.rank() - 2) : 1;
    const double rows = static_cast<double>(std::max<int64_t>(1, m));
    const double macs = static_cast<double>(y.numel()) * k;
    return dn::product_work(macs, macs / rows);
  }

  // Null when oneDNN does not take the problem.
  std::shared_ptr<dn::MatmulPlan> make_plan(const Shape& a_stored, const Shape& b_stored,
                                            bool bias, int packing_threads) const {
    const Shape a = permuted_shape(a_stored, perms_[0]), b = permuted_shape(b_stored, perms_[1]);
    MatMulGeometry g;
    Shape y;
    if (!resolve_matmul(a, b, g, &y).empty()) return nullptr;
    if (g.m * g.n * g.k == 0) return nullptr;
    dn::MatmulProblem p;
    if (permutes()) {
      // Strides need every operand at full rank with its own batch dims (what the rewrite
      // checked); anything else is left to the reference.
      if (a.size() != y.size() || b.size() != y.size() || a.size() < 2 ||
          static_cast<int>(a.size()) > kMaxOneDnnMatmulRank)
        return nullptr;
      for (int d = 0; d < g.batch_rank; ++d)
        if (g.a_stride[d] == 0 || g.b_stride[d] == 0) return nullptr;
      fill_batched_dims(g, p);
      p.a_strides = operand_strides(a_stored, perms_[0]);
      p.b_strides = operand_strides(b_stored, perms_[1]);
      p.y_strides = product_strides(y, perms_[2]);
    } else if (shares_one_b(g)) {
      // Every batch multiplies the same B ([seq, batch, d] @ W, how exporters write Linear):
      // one [batch * M, K] @ [K, N] GEMM, with B packed, instead of many thin ones.
      p.a = {g.batch_count * g.m, g.k};
      p.b = {g.k, g.n};
      p.y = {g.batch_count * g.m, g.n};
    } else {
      if (g.batch_rank + 2 > kMaxOneDnnMatmulRank) return nullptr;
      fill_batched_dims(g, p);
    }
    if (bias) {
      p.c.assign(p.y.size(), 1);
      p.c.back() = g.n;
    }
    p.activation = activation_;
    p.bf16 = bf16_;
    if (constant_b_.defined() && constant_b_.shape() == b && perms_[1].empty())
      p.constant_b = constant_b_.raw();
    try {
      return dn::make_matmul_plan(p, packed_b_, packing_threads);
    } catch (const dnnl::error&) {
      return nullptr;
    }
  }

  bool permutes() const { return !perms_[0].empty() || !perms_[1].empty() || !perms_[2].empty(); }

  // Strides of transpose(stored, perm)'s dims within the stored row-major tensor.
  static memory::dims operand_strides(const Shape& stored, const std::vector<int64_t>& perm) {
    memory::dims row_major(stored.size());
    int64_t step = 1;
    for (size_t d = stored.size(); d-- > 0;) row_major[d] = step, step *= stored[d];
    if (perm.empty()) return row_major;
    memory::dims out(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) out[i] = row_major[static_cast<size_t>(perm[i])];
    return out;
  }
  // Strides of the product's dims within Y = transpose(product, perm), stored row-major.
  static memory::dims product_strides(const Shape& product, const std::vector<int64_t>& perm) {
    if (perm.empty()) return operand_strides(product, {});
    const memory::dims y_strides = operand_strides(permuted_shape(product, perm), {});
    memory::dims out(perm.size());
    for (size_t j = 0; j < perm.size(); ++j) out[static_cast<size_t>(perm[j])] = y_strides[j];
    return out;
  }

  // B has no batch of its own (every batch dim broadcasts it) and A has all of its batches
  // stored contiguously, so the batches stack into the rows of one matrix.
  static bool shares_one_b(const MatMulGeometry& g) {
    for (int d = 0; d < g.batch_rank; ++d)
      if (g.batch[d] != 1 && (g.b_stride[d] != 0 || g.a_stride[d] == 0)) return false;
    return true;
  }

  static void fill_batched_dims(const MatMulGeometry& g, dn::MatmulProblem& p) {
    for (int d = 0; d < g.batch_rank; ++d) {
      // A zero stride marks a broadcast batch dim: oneDNN wants it as 1.
      p.a.push_back(g.a_stride[d] == 0 ? 1 : g.batch[d]);
      p.b.push_back(g.b_stride[d] == 0 ? 1 : g.batch[d]);
      p.y.push_back(g.batch[d]);
    }
    p.a.insert(p.a.end(), {g.m, g.k});
    p.b.insert(p.b.end(), {g.k, g.n});
    p.y.insert(p.y.end(), {g.m, g.n});
  }

  bool fused_;
  dn::Activation activation_;
  bool bf16_;
  std::unique_ptr<OpKernel> reference_;
  Tensor constant_b_;
  std::array<std::vector<int64_t>, 3> perms_;  // FusedMatMul's a_perm, b_perm, y_perm
  mutable dn::PackedConstantCache packed_b_;
};

}  // namespace

INFERA_REGISTER_VARIANT("MatMul", 10, MatMulOneDnnKernel);
static const bool infera_fused_matmul_onednn = ::infera::register_op(
    {"com.infera", "FusedMatMul", 1, 1000, &make_variant_kernel<MatMulOneDnnKernel>, 10});

}  // namespace infera
