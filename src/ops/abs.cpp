// Abs: y = |x|, for every numeric type (unsigned values pass through).
#include <type_traits>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct AbsFn {
  template <typename C>
  C operator()(C x) const {
    if constexpr (std::is_unsigned_v<C>) {
      return x;
    } else {
      return x < C(0) ? C(-x) : x;
    }
  }
};

using AbsKernel = UnaryKernel<AbsFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Abs", AbsKernel);
}  // namespace infera
