// Round: to the nearest integer, ties to even (numpy.round), not away from zero.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct RoundFn {
  // nearbyint follows the current rounding mode, which is round-to-nearest-even unless a
  // caller changed it; std::round would send 0.5 to 1 instead of 0.
  template <typename C>
  C operator()(C x) const {
    return std::nearbyint(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Round", UnaryKernel<RoundFn>);
}  // namespace infera
