// Sign: -1, 0 or 1 by the sign of x (NaN stays NaN, as numpy.sign gives).
#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SignFn {
  template <typename C>
  C operator()(C x) const {
    if (x > C(0)) return C(1);
    if (x < C(0)) return C(-1);
    return x;  // zero keeps its own value; NaN fails both tests and propagates
  }
};

using SignKernel = UnaryKernel<SignFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Sign", SignKernel);
}  // namespace infera
