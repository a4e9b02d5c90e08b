// Min: element-wise minimum of all inputs, broadcast; NaN wins, as with numpy.minimum.
#include "ops/variadic_elementwise.h"

namespace infera {
namespace {

struct MinFn {
  template <typename C>
  C operator()(C acc, C x) const {
    // `acc != acc` is true only for NaN; when x is NaN, `acc <= x` is false and x is taken.
    return (acc != acc || acc <= x) ? acc : x;
  }
};

using MinKernel = VariadicKernel<MinFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Min", MinKernel);
}  // namespace infera
