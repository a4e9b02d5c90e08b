// PRelu: y = x where x >= 0, slope * x elsewhere; slope broadcasts to x.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct PReluFn {
  template <typename C>
  C operator()(C x, C slope) const {
    return x < C(0) ? C(slope * x) : x;
  }
};

using PReluKernel = BinaryKernel<PReluFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("PRelu", PReluKernel);
}  // namespace infera
