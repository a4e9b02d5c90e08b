// Sqrt: y = sqrt(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SqrtFn {
  template <typename C>
  C operator()(C x) const {
    return std::sqrt(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Sqrt", UnaryKernel<SqrtFn>);
}  // namespace infera
