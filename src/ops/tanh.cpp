// Tanh: y = tanh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct TanhFn {
  template <typename C>
  C operator()(C x) const {
    return std::tanh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Tanh", UnaryKernel<TanhFn>);
}  // namespace infera
