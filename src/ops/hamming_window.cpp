// HammingWindow: generalized cosine window with a0 = 25.0/46.0, a1 = 21.0/46.0, a2 = 0.0 (see
// cosine_window.h).
#include "ops/cosine_window.h"

namespace infera {
namespace {

class HammingWindowKernel final : public CosineWindowKernel {
 public:
  explicit HammingWindowKernel(const KernelInit& init)
      : CosineWindowKernel(init, {25.0 / 46.0, 21.0 / 46.0, 0.0}) {}
};

}  // namespace
INFERA_REGISTER_OP("HammingWindow", HammingWindowKernel);
}  // namespace infera
