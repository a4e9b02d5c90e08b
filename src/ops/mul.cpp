// Mul: a * b with numpy broadcasting (integers wrap around).
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct MulFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return wrapping(a, b, [](auto x, auto y) { return x * y; });
  }
};

using MulKernel = BinaryKernel<MulFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Mul", MulKernel);
}  // namespace infera
