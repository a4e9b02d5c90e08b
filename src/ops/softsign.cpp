// Softsign: y = x / (1 + |x|).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SoftsignFn {
  template <typename C>
  C operator()(C x) const {
    return x / (C(1) + std::abs(x));
  }
};

}  // namespace
INFERA_REGISTER_OP("Softsign", UnaryKernel<SoftsignFn>);
}  // namespace infera
