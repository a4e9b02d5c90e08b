// com.infera FusedGemm (reference kernel), made by the graph rewrites in src/opt/:
// Y = activation(alpha * A' B' + beta * C). Inputs A, B, C (optional); all Gemm attributes,
// plus `activation` and `activation_params` (see ops/fused_activation.h).
#include "ops/fused_reference.h"

namespace infera {
namespace {

class FusedGemmKernel final : public FusedReferenceKernel {
 public:
  explicit FusedGemmKernel(const KernelInit& init)
      : FusedReferenceKernel(init, "Gemm", 3, Extra::kNone) {}
};

}  // namespace
INFERA_REGISTER_OP_RANGE("com.infera", "FusedGemm", 1, 1000, FusedGemmKernel);
}  // namespace infera
