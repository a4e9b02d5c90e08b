// ReduceSum: sum over the chosen axes; axes became an input at opset 13.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct SumReduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(0); }
  static void add(Acc& acc, T x) { acc += Acc(x); }
  static T finish(Acc acc, int64_t) { return T(acc); }
};

using ReduceSumKernel = ReduceKernel<SumReduction, 13>;

}  // namespace
INFERA_REGISTER_OP("ReduceSum", ReduceSumKernel);
}  // namespace infera
