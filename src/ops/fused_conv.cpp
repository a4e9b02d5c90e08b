// com.infera FusedConv (reference kernel), made by the graph rewrites in src/opt/:
// Y = activation(Conv(X, W, B) + Z). Inputs X, W, B (optional), Z (optional residual, the shape of
// Y); all Conv attributes, plus `activation` and `activation_params` (see ops/fused_activation.h).
#include "ops/fused_reference.h"

namespace infera {
namespace {

class FusedConvKernel final : public FusedReferenceKernel {
 public:
  explicit FusedConvKernel(const KernelInit& init)
      : FusedReferenceKernel(init, "Conv", 3, Extra::kResidual) {}
};

}  // namespace
INFERA_REGISTER_OP_RANGE("com.infera", "FusedConv", 1, 1000, FusedConvKernel);
}  // namespace infera
