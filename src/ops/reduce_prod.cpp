// ReduceProd: product over the chosen axes (1 for an empty set).
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct ProdReduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(1); }
  static void add(Acc& acc, T x) { acc *= Acc(x); }
  static T finish(Acc acc, int64_t) { return T(acc); }
};

using ReduceProdKernel = ReduceKernel<ProdReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceProd", ReduceProdKernel);
}  // namespace infera
