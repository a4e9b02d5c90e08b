// Acos: y = arccos(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AcosFn {
  template <typename C>
  C operator()(C x) const {
    return std::acos(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Acos", UnaryKernel<AcosFn>);
}  // namespace infera
