// Xor: logical exclusive or of two bool tensors, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct XorFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a != b;
  }
};

using XorKernel = BinaryKernel<XorFn, TypeFamily::kBool>;

}  // namespace
INFERA_REGISTER_OP("Xor", XorKernel);
}  // namespace infera
