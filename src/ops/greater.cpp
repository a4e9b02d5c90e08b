// Greater: a > b as bool, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct GreaterFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a > b;
  }
};

using GreaterKernel = BinaryKernel<GreaterFn, TypeFamily::kNumeric, true>;

}  // namespace
INFERA_REGISTER_OP("Greater", GreaterKernel);
}  // namespace infera
