// Equal: a == b as bool, broadcast; numbers, bools and strings.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct EqualFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a == b;
  }
};

using EqualKernel = BinaryKernel<EqualFn, TypeFamily::kAny, true>;

}  // namespace
INFERA_REGISTER_OP("Equal", EqualKernel);
}  // namespace infera
