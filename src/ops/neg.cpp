// Neg: y = -x.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct NegFn {
  template <typename C>
  C operator()(C x) const {
    return C(-x);
  }
};

using NegKernel = UnaryKernel<NegFn, TypeFamily::kSigned>;

}  // namespace
INFERA_REGISTER_OP("Neg", NegKernel);
}  // namespace infera
