// Mish: y = x * tanh(softplus(x)).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct MishFn {
  template <typename C>
  C operator()(C x) const {
    const C pos = x > C(0) ? x : C(0);
    const C softplus = pos + std::log1p(std::exp(-std::abs(x)));
    return x * std::tanh(softplus);
  }
};

}  // namespace
INFERA_REGISTER_OP("Mish", UnaryKernel<MishFn>);
}  // namespace infera
