// Mod: remainder of a / b with numpy broadcasting. fmod=1 gives C fmod (sign of the dividend);
// fmod=0 gives Python's % (sign of the divisor), which the spec requires for integers.
#include <cmath>
#include <type_traits>

#include "ops/binary_elementwise.h"

namespace infera {
namespace {

struct ModFn {
  bool fmod;
  explicit ModFn(const KernelInit& init) : fmod(init.attr_int("fmod", 0) != 0) {}

  template <typename C>
  C operator()(C a, C b) const {
    C r;
    if constexpr (std::is_integral_v<C>) {
      // x % 0 and INT_MIN % -1 are undefined in C++; both give 0 here.
      if (b == 0) return C(0);
      if constexpr (std::is_signed_v<C>) {
        if (b == C(-1)) return C(0);
      }
      r = C(a % b);
    } else {
      r = std::fmod(a, b);
    }
    if (!fmod && r != C(0) && ((r < C(0)) != (b < C(0)))) r = C(r + b);
    return r;
  }
};

using ModKernel = BinaryKernel<ModFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Mod", ModKernel);
}  // namespace infera
