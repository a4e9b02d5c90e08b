// ReduceLogSumExp: log(sum(exp(x))) over the chosen axes, kept finite for large inputs by
// tracking the running maximum and rescaling the partial sum whenever it grows.
#include "ops/reduce_kernel.h"

namespace infera {
namespace {

template <typename T>
struct LogSumExpReduction {
  using Acc = RunningMaxSum;
  static Acc init() { return {-std::numeric_limits<double>::infinity(), 0.0}; }
  static void add(Acc& acc, T x) {
    const double v = static_cast<double>(x);
    if (v == -std::numeric_limits<double>::infinity()) return;  // exp(-inf) adds nothing
    if (v > acc.max) {
      acc.sum = acc.sum * std::exp(acc.max - v) + 1.0;
      acc.max = v;
    } else {
      acc.sum += std::exp(v - acc.max);
    }
  }
  static T finish(Acc acc, int64_t) {
    if (acc.sum == 0.0) return T(-std::numeric_limits<double>::infinity());
    return T(acc.max + std::log(acc.sum));
  }
};

using ReduceLogSumExpKernel = ReduceKernel<LogSumExpReduction, 18>;

}  // namespace
INFERA_REGISTER_OP("ReduceLogSumExp", ReduceLogSumExpKernel);
}  // namespace infera
