// Elu: y = x for x >= 0, alpha * (e^x - 1) otherwise (alpha defaults to 1).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct EluFn {
  float alpha;
  explicit EluFn(const KernelInit& init) : alpha(init.attr_float("alpha", 1.0f)) {}
  template <typename C>
  C operator()(C x) const {
    return x < C(0) ? C(C(alpha) * std::expm1(x)) : x;
  }
};

}  // namespace
INFERA_REGISTER_OP("Elu", UnaryKernel<EluFn>);
}  // namespace infera
