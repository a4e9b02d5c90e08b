// LeakyRelu: y = x for x >= 0, alpha * x otherwise (alpha defaults to 0.01).
#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct LeakyReluFn {
  float alpha;
  explicit LeakyReluFn(const KernelInit& init) : alpha(init.attr_float("alpha", 0.01f)) {}
  template <typename C>
  C operator()(C x) const {
    return x < C(0) ? C(C(alpha) * x) : x;
  }
};

}  // namespace
INFERA_REGISTER_OP("LeakyRelu", UnaryKernel<LeakyReluFn>);
}  // namespace infera
