// IsInf: true where x is +inf (unless detect_positive=0) or -inf (unless detect_negative=0).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct IsInfFn {
  bool positive;
  bool negative;
  explicit IsInfFn(const KernelInit& init)
      : positive(init.attr_int("detect_positive", 1) != 0),
        negative(init.attr_int("detect_negative", 1) != 0) {}
  template <typename C>
  bool operator()(C x) const {
    if (!std::isinf(x)) return false;
    return x > C(0) ? positive : negative;
  }
};

}  // namespace
INFERA_REGISTER_OP("IsInf", UnaryPredicateKernel<IsInfFn>);
}  // namespace infera
