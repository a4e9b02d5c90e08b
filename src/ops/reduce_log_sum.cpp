// ReduceLogSum: log of the sum over the chosen axes (-inf for an empty set).
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct LogSumReduction {
  using Acc = double;
  static Acc init() { return 0.0; }
  static void add(Acc& acc, T x) { acc += static_cast<double>(x); }
  static T finish(Acc acc, int64_t) { return T(std::log(acc)); }
};

using ReduceLogSumKernel = ReduceKernel<LogSumReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceLogSum", ReduceLogSumKernel);
}  // namespace infera
