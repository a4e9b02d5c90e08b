// And: logical and of two bool tensors, broadcast.
#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct AndFn {
  template <typename C>
  auto operator()(const C& a, const C& b) const {
    return a && b;
  }
};

using AndKernel = BinaryKernel<AndFn, TypeFamily::kBool>;

}  // namespace
INFERA_REGISTER_OP("And", AndKernel);
}  // namespace infera
