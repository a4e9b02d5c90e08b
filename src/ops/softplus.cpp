// Softplus: y = ln(1 + e^x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SoftplusFn {
  // Written as max(x, 0) + ln(1 + e^-|x|) so large |x| neither overflows nor loses digits.
  template <typename C>
  C operator()(C x) const {
    const C pos = x > C(0) ? x : C(0);
    return pos + std::log1p(std::exp(-std::abs(x)));
  }
};

}  // namespace
INFERA_REGISTER_OP("Softplus", UnaryKernel<SoftplusFn>);
}  // namespace infera
