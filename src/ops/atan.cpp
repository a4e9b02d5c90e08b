// Atan: y = arctan(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AtanFn {
  template <typename C>
  C operator()(C x) const {
    return std::atan(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Atan", UnaryKernel<AtanFn>);
}  // namespace infera
