// Floor: y = floor(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct FloorFn {
  template <typename C>
  C operator()(C x) const {
    return std::floor(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Floor", UnaryKernel<FloorFn>);
}  // namespace infera
