// One oneDNN matmul primitive for MatMul, Gemm and their fused forms:
//   Y = activation(alpha * op(A) @ op(B) + C)
// with numpy batch broadcasting (dims of 1), transposes as strides, C added through
// a broadcasting binary post-op, and a constant B packed once into the layout oneDNN picks.
#pragma once

#include <memory>

#include "ops/cpu/onednn_common.h"

namespace infera::onednn {

struct MatmulProblem {
  dnnl::memory::dims a, b, y;  // all of one rank; a/b are [..., M, K] / [..., K, N] as used
  bool trans_a = false, trans_b = false;  // A is stored [K, M] / B is stored [N, K] (2-D)
  // Element strides of A, B and Y as stored, when not row-major (a Transpose folded into the
  // product, FusedMatMul's a_perm / b_perm / y_perm); empty: row-major.
  dnnl::memory::dims a_strides, b_strides, y_strides;
  dnnl::memory::dims c;                   // dims of the added C, broadcast to y; empty: none
  float alpha = 1.f;
  Activation activation;
  const void* constant_b = nullptr;  // B's data when it is an initializer
  bool bf16 = false;                 // bfloat16 A and B, f32 Y
};

struct MatmulPlan {
  dnnl::matmul matmul;
  dnnl::memory::desc a, b, c, y, scratchpad, plain_a, plain_b;
  dnnl::memory packed_b;  // set when B was constant
  dnnl::reorder a_in, b_in;  // to bf16, in bf16 mode
  BoundArgs matmul_args, a_in_args, b_in_args;
  bool has_c = false;
  ScratchLayout scratch;
  size_t pad_offset = 0, a_offset = 0, b_offset = 0;
};

// Throws dnnl::error when oneDNN has no implementation for the problem. A constant B is packed
// on `packing_threads` threads the first time a layout is asked for.
std::shared_ptr<MatmulPlan> make_matmul_plan(const MatmulProblem& problem,
                                             PackedConstantCache& packed_b, int packing_threads);
// Needs plan.scratch.request_bytes() of scratch. c may be null when the problem has none.
void execute_matmul(const MatmulPlan& plan, const void* a, const void* b, const void* c, void* y,
                    void* scratch);

}  // namespace infera::onednn
