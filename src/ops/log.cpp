// Log: y = ln(x).
#include <cmath>

#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct LogFn {
  template <typename C>
  C operator()(C x) const {
    return std::log(x);
  }
};

}  // namespace
INFERA_REGISTER_OP("Log", UnaryKernel<LogFn>);
}  // namespace infera
