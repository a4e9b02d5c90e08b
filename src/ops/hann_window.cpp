// HannWindow: generalized cosine window with a0 = 0.5, a1 = 0.5, a2 = 0.0 (see cosine_window.h).
#include "ops/cosine_window.h"

namespace infera {
namespace {

class HannWindowKernel final : public CosineWindowKernel {
 public:
  explicit HannWindowKernel(const KernelInit& init) : CosineWindowKernel(init, {0.5, 0.5, 0.0}) {}
};

}  // namespace
INFERA_REGISTER_OP("HannWindow", HannWindowKernel);
}  // namespace infera
