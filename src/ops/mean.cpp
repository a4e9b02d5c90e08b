// Mean: element-wise mean of all inputs, broadcast.
#include "ops/variadic_elementwise.h"

namespace infera {
namespace {

struct MeanFn {
  template <typename C>
  C operator()(C acc, C x) const {
    return acc + x;
  }
};

using MeanKernel = VariadicKernel<MeanFn, TypeFamily::kFloat, true>;

}  // namespace
INFERA_REGISTER_OP("Mean", MeanKernel);
}  // namespace infera
