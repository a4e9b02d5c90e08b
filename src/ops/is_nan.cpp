// IsNaN: true where x is NaN.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct IsNanFn {
  template <typename C>
  bool operator()(C x) const {
    return std::isnan(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("IsNaN", UnaryPredicateKernel<IsNanFn>);
}  // namespace infera
