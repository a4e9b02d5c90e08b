// Celu: y = max(0, x) + min(0, alpha * (e^(x/alpha) - 1)), alpha defaults to 1.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct CeluFn {
  float alpha;
  explicit CeluFn(const KernelInit& init) : alpha(init.attr_float("alpha", 1.0f)) {
    if (alpha == 0.0f) init.fail("attribute 'alpha' must not be 0");
  }
  template <typename C>
  C operator()(C x) const {
    const C a = C(alpha);
    return x > C(0) ? x : C(a * std::expm1(x / a));
  }
};

}  // namespace
INFERA_REGISTER_OP("Celu", UnaryKernel<CeluFn>);
}  // namespace infera
