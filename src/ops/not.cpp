// Not: logical negation of a bool tensor.
#include "ops/unary_elementwise.h"

namespace infera {
namespace {

struct NotFn {
  bool operator()(bool x) const { return !x; }
};

using NotKernel = UnaryKernel<NotFn, TypeFamily::kBool>;

}  // namespace
INFERA_REGISTER_OP("Not", NotKernel);
}  // namespace infera
