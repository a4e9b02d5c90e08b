// HardSwish: y = x * clamp(x / 6 + 0.5, 0, 1).
#include <algorithm>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct HardSwishFn {
  template <typename C>
  C operator()(C x) const {
    return x * std::clamp(C(x / C(6) + C(0.5)), C(0), C(1));
  }
};

}  // namespace
INFERA_REGISTER_OP("HardSwish", UnaryKernel<HardSwishFn>);
}  // namespace infera
