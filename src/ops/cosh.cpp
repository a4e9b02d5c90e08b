// Cosh: y = cosh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct CoshFn {
  template <typename C>
  C operator()(C x) const {
    return std::cosh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Cosh", UnaryKernel<CoshFn>);
}  // namespace infera
