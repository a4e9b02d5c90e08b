// Cos: y = cos(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct CosFn {
  template <typename C>
  C operator()(C x) const {
    return std::cos(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Cos", UnaryKernel<CosFn>);
}  // namespace infera
