// The shared body of the com.infera fused ops' reference kernels (FusedConv, FusedGemm,
// FusedMatMul): build the plain reference kernel of the underlying ai.onnx op from a copy of
// the node, let it compute, then add the fused extra input (residual Z or bias) and apply the
// activation in place. Slow on purpose: these are the oracle the optimized variants are tested
// against, and reusing the reference Conv/Gemm/MatMul keeps them exactly as correct.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/fused_activation.h"
#include "ops/op.h"

namespace infera {

class FusedReferenceKernel : public OpKernel {
 public:
  // How the input after the base op's inputs joins the result.
  enum class Extra : uint8_t {
    kNone,
    kResidual,     // Z, the same shape as Y: Y += Z
    kLastDimBias,  // 1-D, as long as Y's last dim: Y[..., j] += bias[j]
  };

  // `base_op` is the ai.onnx op computed first; it takes the node's first `base_inputs` inputs.
  FusedReferenceKernel(const KernelInit& init, const std::string& base_op, int base_inputs,
                       Extra extra);

  void infer(InferContext& ctx) const override;
  void run(RunContext& ctx) const override;

  const FusedActivation& activation() const { return activation_; }

 private:
  std::unique_ptr<Node> base_node_;  // the base kernel refers to it, so its address is fixed
  std::unique_ptr<OpKernel> base_;
  int base_inputs_;
  Extra extra_;
  FusedActivation activation_;
};

}  // namespace infera
