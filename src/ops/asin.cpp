// Asin: y = arcsin(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AsinFn {
  template <typename C>
  C operator()(C x) const {
    return std::asin(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Asin", UnaryKernel<AsinFn>);
}  // namespace infera
