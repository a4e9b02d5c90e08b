// ReduceMin: minimum over the chosen axes. NaN wins, as in numpy; an empty set gives the
// type's highest value (+inf for floats), as opset 18 specifies.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct MinReduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() {
    if constexpr (is_float_like_v<T>) {
      return std::numeric_limits<double>::infinity();
    } else {
      return static_cast<Acc>(std::numeric_limits<T>::max());
    }
  }
  static void add(Acc& acc, T x) {
    const Acc v = Acc(x);
    if (v < acc || v != v) acc = v;
  }
  static T finish(Acc acc, int64_t) { return T(acc); }
};

using ReduceMinKernel = ReduceKernel<MinReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceMin", ReduceMinKernel);
}  // namespace infera
