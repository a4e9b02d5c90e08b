// Less: a < b as bool, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct LessFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a < b;
  }
};

using LessKernel = BinaryKernel<LessFn, TypeFamily::kNumeric, true>;

}  // namespace
INFERA_REGISTER_OP("Less", LessKernel);
}  // namespace infera
