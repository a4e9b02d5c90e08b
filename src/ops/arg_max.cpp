// ArgMax: index of the largest element along an axis.
#include "ops/arg_extreme_kernel.h"

namespace infera {
namespace {

struct Greater {
  template <typename T>
  bool operator()(const T& a, const T& b) const {
    return a > b;
  }
};
using ArgMaxKernel = ArgExtremeKernel<Greater>;

}  // namespace
INFERA_REGISTER_OP("ArgMax", ArgMaxKernel);
}  // namespace infera
