// ThresholdedRelu: y = x where x > alpha, 0 elsewhere (alpha defaults to 1).
#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct ThresholdedReluFn {
  float alpha;
  explicit ThresholdedReluFn(const KernelInit& init) : alpha(init.attr_float("alpha", 1.0f)) {}
  template <typename C>
  C operator()(C x) const {
    return x > C(alpha) ? x : C(0);
  }
};

}  // namespace
INFERA_REGISTER_OP("ThresholdedRelu", UnaryKernel<ThresholdedReluFn>);
}  // namespace infera
