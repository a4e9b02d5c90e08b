// CastLike: converts input 0 to the dtype of input 1 (whose values are ignored).
#include <string>

#include "ops/cast_elements.h"
#include "ops/op.h"

namespace infera {
namespace {

class CastLikeKernel final : public OpKernel {
 public:
  explicit CastLikeKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DType to = ctx.input(1).dtype();
    if (!cast_supported(x.dtype(), to)) {
      ctx.fail(std::string("cannot cast ") + dtype_name(x.dtype()) + " to " + dtype_name(to));
    }
    ctx.set_output(0, to, x.shape());
  }

  void run(RunContext& ctx) const override { cast_elements(ctx.input(0), ctx.output(0)); }
};

}  // namespace
INFERA_REGISTER_OP("CastLike", CastLikeKernel);
}  // namespace infera
