// Sinh: y = sinh(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SinhFn {
  template <typename C>
  C operator()(C x) const {
    return std::sinh(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Sinh", UnaryKernel<SinhFn>);
}  // namespace infera
