// BitShift: a << b or a >> b (direction "LEFT" / "RIGHT") on unsigned integers, broadcast.
#include <string>

#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct BitShiftFn {
  bool left;
  explicit BitShiftFn(const KernelInit& init) {
    const std::string direction = init.attr_string("direction", "");
    if (direction != "LEFT" && direction != "RIGHT") {
      init.fail("attribute 'direction' must be \"LEFT\" or \"RIGHT\", got \"" + direction + "\"");
    }
    left = direction == "LEFT";
  }

  template <typename C>
  C operator()(C a, C b) const {
    // Shifting by the bit width or more is undefined in C++; every bit is shifted out.
    if (b >= C(sizeof(C) * 8)) return C(0);
    return left ? C(a << b) : C(a >> b);
  }
};

using BitShiftKernel = BinaryKernel<BitShiftFn, TypeFamily::kUnsigned>;

}  // namespace
INFERA_REGISTER_OP("BitShift", BitShiftKernel);
}  // namespace infera
