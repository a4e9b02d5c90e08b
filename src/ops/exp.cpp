// Exp: y = e^x.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct ExpFn {
  template <typename C>
  C operator()(C x) const {
    return std::exp(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Exp", UnaryKernel<ExpFn>);
}  // namespace infera
