// ArgMin: index of the smallest element along an axis.
#include "ops/arg_extreme_kernel.h"

namespace infera {
namespace {

struct Less {
  template <typename T>
  bool operator()(const T& a, const T& b) const {
    return a < b;
  }
};
using ArgMinKernel = ArgExtremeKernel<Less>;

}  // namespace
INFERA_REGISTER_OP("ArgMin", ArgMinKernel);
}  // namespace infera
