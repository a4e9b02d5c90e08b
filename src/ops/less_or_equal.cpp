// LessOrEqual: a <= b as bool, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct LessOrEqualFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a <= b;
  }
};

using LessOrEqualKernel = BinaryKernel<LessOrEqualFn, TypeFamily::kNumeric, true>;

}  // namespace
INFERA_REGISTER_OP("LessOrEqual", LessOrEqualKernel);
}  // namespace infera
