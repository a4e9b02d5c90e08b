// Sin: y = sin(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SinFn {
  template <typename C>
  C operator()(C x) const {
    return std::sin(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Sin", UnaryKernel<SinFn>);
}  // namespace infera
