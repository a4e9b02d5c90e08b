// BlackmanWindow: generalized cosine window with a0 = 0.42, a1 = 0.5, a2 = 0.08 (see
// cosine_window.h).
#include "ops/cosine_window.h"

namespace infera {
namespace {

class BlackmanWindowKernel final : public CosineWindowKernel {
 public:
  explicit BlackmanWindowKernel(const KernelInit& init)
      : CosineWindowKernel(init, {0.42, 0.5, 0.08}) {}
};

}  // namespace
INFERA_REGISTER_OP("BlackmanWindow", BlackmanWindowKernel);
}  // namespace infera
