// GreaterOrEqual: a >= b as bool, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct GreaterOrEqualFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a >= b;
  }
};

using GreaterOrEqualKernel = BinaryKernel<GreaterOrEqualFn, TypeFamily::kNumeric, true>;

}  // namespace
INFERA_REGISTER_OP("GreaterOrEqual", GreaterOrEqualKernel);
}  // namespace infera
