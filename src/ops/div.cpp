// Div: a / b with numpy broadcasting. Integer division truncates toward zero (as C and ONNX
// Runtime do; the ONNX tests only divide unsigned values, where floor and truncation agree).
#include <type_traits>

#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct DivFn {
  template <typename C>
  C operator()(C a, C b) const {
    if constexpr (std::is_integral_v<C>) {
      // Dividing by zero or INT_MIN by -1 is undefined in C++; give 0 / -a instead of crashing.
      if (b == 0) return C(0);
      if constexpr (std::is_signed_v<C>) {
        if (b == C(-1)) return wrapping(C(0), a, [](auto x, auto y) { return x - y; });
      }
    }
    return C(a / b);
  }
};

using DivKernel = BinaryKernel<DivFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Div", DivKernel);
}  // namespace infera
