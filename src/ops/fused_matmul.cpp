// com.infera FusedMatMul (reference kernel), made by the graph rewrites in src/opt/:
// Y = activation(A @ B + bias). Inputs A, B, bias (optional, 1-D over Y's last dim),
// plus `activation` and `activation_params` (see ops/fused_activation.h).
#include "ops/fused_reference.h"

namespace infera {
namespace {

class FusedMatMulKernel final : public FusedReferenceKernel {
 public:
  explicit FusedMatMulKernel(const KernelInit& init)
      : FusedReferenceKernel(init, "MatMul", 2, Extra::kLastDimBias) {}
};

}  // namespace
INFERA_REGISTER_OP_RANGE("com.infera", "FusedMatMul", 1, 1000, FusedMatMulKernel);
}  // namespace infera
