// Tan: y = tan(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct TanFn {
  template <typename C>
  C operator()(C x) const {
    return std::tan(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Tan", UnaryKernel<TanFn>);
}  // namespace infera
