// Selu: y = gamma * x for x > 0, gamma * alpha * (e^x - 1) otherwise.
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct SeluFn {
  // Defaults are the float32 values the ONNX spec lists.
  float alpha;
  float gamma;
  explicit SeluFn(const KernelInit& init)
      : alpha(init.attr_float("alpha", 1.67326319217681884765625f)),
        gamma(init.attr_float("gamma", 1.05070102214813232421875f)) {}
  template <typename C>
  C operator()(C x) const {
    return x > C(0) ? C(C(gamma) * x) : C(C(gamma) * C(alpha) * std::expm1(x));
  }
};

}  // namespace
INFERA_REGISTER_OP("Selu", UnaryKernel<SeluFn>);
}  // namespace infera
