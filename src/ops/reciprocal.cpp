// Reciprocal: y = 1 / x.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct ReciprocalFn {
  template <typename C>
  C operator()(C x) const {
    return C(1) / x;
  }
};

}  // namespace
INFERA_REGISTER_OP("Reciprocal", UnaryKernel<ReciprocalFn>);
}  // namespace infera
