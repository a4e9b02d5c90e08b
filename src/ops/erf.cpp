// Erf: y = erf(x), the Gauss error function.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct ErfFn {
  template <typename C>
  C operator()(C x) const {
    return std::erf(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Erf", UnaryKernel<ErfFn>);
}  // namespace infera
