// Transpose: output dim d is input dim perm[d]; perm defaults to reversing the dims.
#include "ops/movement.h"

namespace infera {
namespace {

class TransposeKernel final : public OpKernel {
 public:
  explicit TransposeKernel(const KernelInit& init) : perm_(init.attr_ints("perm")) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    int64_t perm[kMaxMoveRank];
    if (rank > kMaxMoveRank || !resolve_perm(rank, perm))
      ctx.fail("perm " + shape_to_string(perm_) + " is not a permutation of the " +
               std::to_string(rank) + " dims of input shape " + shape_to_string(x.shape()));
    Shape out(static_cast<size_t>(rank));
    for (int d = 0; d < rank; ++d) out[d] = x.dim(static_cast<int>(perm[d]));
    ctx.set_output(0, x.dtype(), out);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    check_move_rank(ctx, rank);
    int64_t perm[kMaxMoveRank], in_strides[kMaxMoveRank], src_strides[kMaxMoveRank];
    resolve_perm(rank, perm);
    row_major_strides(x.shape(), in_strides);
    for (int d = 0; d < rank; ++d) src_strides[d] = in_strides[perm[d]];
    copy_strided(x, ctx.output(0), src_strides, 0);
  }

 private:
  bool resolve_perm(int rank, int64_t* perm) const {
    if (perm_.empty()) {
      for (int d = 0; d < rank; ++d) perm[d] = rank - 1 - d;
      return true;
    }
    if (static_cast<int>(perm_.size()) != rank) return false;
    bool seen[kMaxMoveRank] = {false};
    for (int d = 0; d < rank; ++d) {
      const int64_t p = perm_[d] < 0 ? perm_[d] + rank : perm_[d];
      if (p < 0 || p >= rank || seen[p]) return false;
      seen[p] = true;
      perm[d] = p;
    }
    return true;
  }

  std::vector<int64_t> perm_;
};

}  // namespace
INFERA_REGISTER_OP("Transpose", TransposeKernel);
}  // namespace infera
