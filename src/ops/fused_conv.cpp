// com.infera FusedConv (reference kernel), made by the graph rewrites in src/opt/:
// Y = activation(Conv(X, W, B) + Z). Inputs X, W, B (optional), Z (optional residual, the shape of
// Y); all Conv attributes, plus `activation` and `activation_params` (see ops/fused_activation.h),
// and `channels_last` (0 or 1): when 1, X, Z and Y are [N, spatial..., C] (ops/channels_last.h).
#include "ops/channels_last.h"
#include "ops/fused_reference.h"

namespace infera {
namespace {

class FusedConvKernel final : public FusedReferenceKernel {
 public:
  explicit FusedConvKernel(const KernelInit& init)
      : FusedReferenceKernel(init, "Conv", 3, Extra::kResidual) {}
};

std::unique_ptr<OpKernel> make_fused_conv(const KernelInit& init) {
  const int64_t channels_last = init.attr_int("channels_last", 0);
  if (channels_last != 0 && channels_last != 1)
    init.fail("channels_last must be 0 or 1, got " + std::to_string(channels_last));
  if (channels_last) return make_channels_last_reference(init, "FusedConv", {0, 3});
  return std::make_unique<FusedConvKernel>(init);
}

}  // namespace
static const bool infera_fused_conv_registered =
    register_op({"com.infera", "FusedConv", 1, 1000, &make_fused_conv});
}  // namespace infera
