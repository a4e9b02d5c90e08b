// Sub: a - b with numpy broadcasting (integers wrap around).
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct SubFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return wrapping(a, b, [](auto x, auto y) { return x - y; });
  }
};

using SubKernel = BinaryKernel<SubFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Sub", SubKernel);
}  // namespace infera
