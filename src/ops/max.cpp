// Max: element-wise maximum of all inputs, broadcast; NaN wins, as with numpy.maximum.
#include "ops/variadic_elementwise.h"

namespace infera {
namespace {

struct MaxFn {
  template <typename C>
  C operator()(C acc, C x) const {
    // `acc != acc` is true only for NaN; when x is NaN, `acc >= x` is false and x is taken.
    return (acc != acc || acc >= x) ? acc : x;
  }
};

using MaxKernel = VariadicKernel<MaxFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Max", MaxKernel);
}  // namespace infera
