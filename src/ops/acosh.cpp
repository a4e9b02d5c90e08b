// Acosh: y = arccosh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AcoshFn {
  template <typename C>
  C operator()(C x) const {
    return std::acosh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Acosh", UnaryKernel<AcoshFn>);
}  // namespace infera
