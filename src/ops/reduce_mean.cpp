// ReduceMean: arithmetic mean over the chosen axes (NaN for an empty float set).
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct MeanReduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(0); }
  static void add(Acc& acc, T x) { acc += Acc(x); }
  static T finish(Acc acc, int64_t count) {
    if constexpr (!is_float_like_v<T>) {
      if (count == 0) return T(0);  // integers have no NaN to report an empty mean with
    }
    return T(acc / static_cast<Acc>(count));
  }
};

using ReduceMeanKernel = ReduceKernel<MeanReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceMean", ReduceMeanKernel);
}  // namespace infera
