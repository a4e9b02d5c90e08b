// Sum: element-wise sum of all inputs, broadcast.
#include "ops/binary_elementwise.h"
#include "ops/variadic_elementwise.h"

namespace infera {
namespace {

struct SumFn {
  template <typename C>
  C operator()(C acc, C x) const {
    return wrapping(acc, x, [](auto a, auto b) { return a + b; });
  }
};

using SumKernel = VariadicKernel<SumFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Sum", SumKernel);
}  // namespace infera
