// ReduceL2: Euclidean norm over the chosen axes.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct L2Reduction {
  using Acc = reduce_acc_t<T>;
  static Acc init() { return Acc(0); }
  static void add(Acc& acc, T x) { acc += Acc(x) * Acc(x); }
  static T finish(Acc acc, int64_t) { return T(std::sqrt(static_cast<double>(acc))); }
};

using ReduceL2Kernel = ReduceKernel<L2Reduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceL2", ReduceL2Kernel);
}  // namespace infera
