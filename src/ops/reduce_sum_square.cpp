// ReduceSumSquare: sum of squares over the chosen axes.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct SumSquareReduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(0); }
  static void add(Acc& acc, T x) { acc += Acc(x) * Acc(x); }
  static T finish(Acc acc, int64_t) { return T(acc); }
};

using ReduceSumSquareKernel = ReduceKernel<SumSquareReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceSumSquare", ReduceSumSquareKernel);
}  // namespace infera
