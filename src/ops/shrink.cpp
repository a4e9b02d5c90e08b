// Shrink: y = x + bias below -lambd, x - bias above lambd, 0 in between.
#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct ShrinkFn {
  float lambd;
  float bias;
  explicit ShrinkFn(const KernelInit& init)
      : lambd(init.attr_float("lambd", 0.5f)), bias(init.attr_float("bias", 0.0f)) {}
  // Integer inputs are allowed; the comparison and shift happen in double, then convert back.
  template <typename C>
  C operator()(C x) const {
    const double v = static_cast<double>(x);
    if (v < -static_cast<double>(lambd)) return static_cast<C>(v + bias);
    if (v > static_cast<double>(lambd)) return static_cast<C>(v - bias);
    return C(0);
  }
};

using ShrinkKernel = UnaryKernel<ShrinkFn, TypeFamily::kNumeric>;

}  // namespace
INFERA_REGISTER_OP("Shrink", ShrinkKernel);
}  // namespace infera
