// ReduceL1: sum of absolute values over the chosen axes.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct L1Reduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(0); }
  static void add(Acc& acc, T x) {
    if constexpr (std::is_signed_v<Acc>) {
      acc += Acc(x) < 0 ? -Acc(x) : Acc(x);
    } else {
      acc += Acc(x);
    }
  }
  static T finish(Acc acc, int64_t) { return T(acc); }
};

using ReduceL1Kernel = ReduceKernel<L1Reduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceL1", ReduceL1Kernel);
}  // namespace infera
