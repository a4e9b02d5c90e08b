// Asinh: y = arcsinh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AsinhFn {
  template <typename C>
  C operator()(C x) const {
    return std::asinh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Asinh", UnaryKernel<AsinhFn>);
}  // namespace infera
