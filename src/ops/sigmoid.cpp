// Sigmoid: y = 1 / (1 + e^-x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SigmoidFn {
  // For negative x, e^-x can overflow to inf; the algebraically equal e^x / (1 + e^x) cannot.
  template <typename C>
  C operator()(C x) const {
    if (x >= C(0)) return C(1) / (C(1) + std::exp(-x));
    const C e = std::exp(x);
    return e / (C(1) + e);
  }
};

}  // namespace
INFERA_REGISTER_OP("Sigmoid", UnaryKernel<SigmoidFn>);
}  // namespace infera
