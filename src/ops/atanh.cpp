// Atanh: y = arctanh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AtanhFn {
  template <typename C>
  C operator()(C x) const {
    return std::atanh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Atanh", UnaryKernel<AtanhFn>);
}  // namespace infera
