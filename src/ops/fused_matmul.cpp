// com.infera FusedMatMul (reference kernel), made by the graph rewrites in src/opt/:
//   Y = transpose(activation(A' @ B' + bias), y_perm),  A' = transpose(A, a_perm),
//   B' = transpose(B, b_perm)
// Inputs A, B, bias (optional, 1-D over the product's last dim), plus `activation` and
// `activation_params` (see ops/fused_activation.h). The optional perms (ints, as Transpose's
// `perm`) are the Transposes src/opt/matmul_transpose_fusion.cpp folded in, so the fast kernel
// reads and writes through strides instead of copying; absent, nothing is transposed.
#include <array>
#include <cstdint>

#include "ops/fused_reference.h"
#include "ops/matmul_shape.h"
#include "ops/movement.h"
#include "ops/staged_run_context.h"

namespace infera {
namespace {

// transpose(src, perm) into dst (already of the permuted shape).
void transpose_into(const Tensor& src, Tensor& dst, const std::vector<int64_t>& perm) {
  int64_t strides[kMaxMoveRank], through[kMaxMoveRank];
  row_major_strides(src.shape(), strides);
  for (size_t i = 0; i < perm.size(); ++i) through[i] = strides[perm[i]];
  copy_strided(src, dst, through, 0);
}

// The product's shape before y_perm, from Y's: dim y_perm[j] of the product is Y's dim j.
Shape unpermuted_shape(const Shape& y, const std::vector<int64_t>& perm) {
  Shape out(perm.size());
  for (size_t j = 0; j < perm.size(); ++j) out[static_cast<size_t>(perm[j])] = y[j];
  return out;
}

// Shape inference of the plain fused product, its result passed on through y_perm.
class PermutedInferContext final : public InferContext {
 public:
  PermutedInferContext(InferContext& outer, const Value* const* inputs, int num_inputs,
                       const std::vector<int64_t>& y_perm)
      : InferContext(outer.node(), inputs, num_inputs, outer.num_outputs()),
        outer_(outer), y_perm_(y_perm) {}
  bool has_output(int i) const override { return outer_.has_output(i); }
  void set_output(int i, DType dtype, Shape shape) override {
    if (i == 0 && !y_perm_.empty()) {
      if (shape.size() != y_perm_.size())
        fail("y_perm has " + std::to_string(y_perm_.size()) + " dims but the product is " +
             shape_to_string(shape));
      shape = permuted_shape(shape, y_perm_);
    }
    outer_.set_output(i, dtype, std::move(shape));
  }
  void set_output_constant(int i, Tensor value) override {
    set_output(i, value.dtype(), value.shape());
  }
  void set_output_dynamic(int i) override { outer_.set_output_dynamic(i); }
  void set_output_non_tensor(int i) override { outer_.set_output_non_tensor(i); }

 private:
  InferContext& outer_;
  const std::vector<int64_t>& y_perm_;
};

class FusedMatMulKernel final : public OpKernel {
 public:
  explicit FusedMatMulKernel(const KernelInit& init)
      : fused_(init, "MatMul", 2, FusedReferenceKernel::Extra::kLastDimBias),
        perms_{init.attr_ints("a_perm"), init.attr_ints("b_perm"), init.attr_ints("y_perm")} {
    for (const auto& perm : perms_) {
      if (perm.size() > static_cast<size_t>(kMaxMoveRank))
        init.fail("a_perm, b_perm and y_perm take at most " + std::to_string(kMaxMoveRank) +
                  " dims");
      std::vector<bool> seen(perm.size(), false);
      for (int64_t axis : perm) {
        if (axis < 0 || axis >= static_cast<int64_t>(perm.size()) || seen[axis])
          init.fail("a_perm, b_perm and y_perm must be permutations of 0..rank-1");
        seen[axis] = true;
      }
    }
  }

  void infer(InferContext& ctx) const override {
    if (!permutes()) return fused_.infer(ctx);
    std::array<Value, 2> metas;
    std::vector<const Value*> inputs(static_cast<size_t>(ctx.num_inputs()), nullptr);
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (!ctx.has_input(i)) continue;
      if (i < 2 && !perms_[i].empty()) {
        const Tensor& t = ctx.input(i);
        if (t.rank() != static_cast<int>(perms_[i].size()))
          ctx.fail(std::string(i == 0 ? "a_perm" : "b_perm") + " has " +
                   std::to_string(perms_[i].size()) + " dims but the input is " +
                   shape_to_string(t.shape()));
        metas[i] = Value(Tensor::meta(t.dtype(), permuted_shape(t.shape(), perms_[i])));
        inputs[i] = &metas[i];
      } else {
        inputs[i] = &ctx.input_value(i);
      }
    }
    PermutedInferContext inner(ctx, inputs.data(), ctx.num_inputs(), perms_[2]);
    fused_.infer(inner);
  }

  // Room for the transposed copies and the product, so planned runs do not allocate.
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    if (permutes()) ctx.request_scratch(staged_bytes(ctx.input(0), ctx.input(1), ctx.output(0)));
    return nullptr;
  }

  void run(RunContext& ctx) const override {
    if (!permutes()) return fused_.run(ctx);
    Tensor& y = ctx.output(0);
    StagedTensors memory(ctx, staged_bytes(ctx.input(0), ctx.input(1), y));
    // A and B through their perms, as dense copies; the product before y_perm.
    std::vector<Value> staged(2);
    for (int i = 0; i < 2; ++i) {
      if (perms_[i].empty()) continue;
      const Tensor& t = ctx.input(i);
      Tensor copy = memory.carve(t.dtype(), permuted_shape(t.shape(), perms_[i]));
      transpose_into(t, copy, perms_[i]);
      staged[static_cast<size_t>(i)] = Value(copy);
    }
    Tensor product =
        perms_[2].empty() ? y : memory.carve(y.dtype(), unpermuted_shape(y.shape(), perms_[2]));
    StagedRunContext inner(ctx, std::move(staged), product);
    fused_.run(inner);
    if (!perms_[2].empty()) transpose_into(product, y, perms_[2]);
  }

 private:
  // Scratch for the staged copies of A, B and the product (whether or not each is needed).
  static size_t staged_bytes(const Tensor& a, const Tensor& b, const Tensor& y) {
    return StagedTensors::scratch_bytes({a.nbytes(), b.nbytes(), y.nbytes()});
  }
  bool permutes() const { return !perms_[0].empty() || !perms_[1].empty() || !perms_[2].empty(); }

  FusedReferenceKernel fused_;
  std::array<std::vector<int64_t>, 3> perms_;  // a_perm, b_perm, y_perm; empty: none
};

}  // namespace
INFERA_REGISTER_OP_RANGE("com.infera", "FusedMatMul", 1, 1000, FusedMatMulKernel);
}  // namespace infera
