// Ceil: y = ceil(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct CeilFn {
  template <typename C>
  C operator()(C x) const {
    return std::ceil(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Ceil", UnaryKernel<CeilFn>);
}  // namespace infera
