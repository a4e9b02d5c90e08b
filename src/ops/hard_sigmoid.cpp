// HardSigmoid: y = clamp(alpha * x + beta, 0, 1), alpha 0.2 and beta 0.5 by default.
#include <algorithm>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct HardSigmoidFn {
  float alpha;
  float beta;
  explicit HardSigmoidFn(const KernelInit& init)
      : alpha(init.attr_float("alpha", 0.2f)), beta(init.attr_float("beta", 0.5f)) {}
  template <typename C>
  C operator()(C x) const {
    return std::clamp(C(C(alpha) * x + C(beta)), C(0), C(1));
  }
};

}  // namespace
INFERA_REGISTER_OP("HardSigmoid", UnaryKernel<HardSigmoidFn>);
}  // namespace infera
