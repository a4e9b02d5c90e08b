// Or: logical or of two bool tensors, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct OrFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a || b;
  }
};

using OrKernel = BinaryKernel<OrFn, TypeFamily::kBool>;

}  // namespace
INFERA_REGISTER_OP("Or", OrKernel);
}  // namespace infera
