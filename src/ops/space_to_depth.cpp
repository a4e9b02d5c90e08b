// SpaceToDepth: [N, C, H, W] -> [N, C*b*b, H/b, W/b]; each b x b pixel tile becomes channels
// ordered (block row, block col, c), the inverse of DepthToSpace in DCR mode.
#include "ops/movement.h"

namespace infera {
namespace {

class SpaceToDepthKernel final : public OpKernel {
 public:
  explicit SpaceToDepthKernel(const KernelInit& init) : block_(init.attr_int("blocksize")) {
    if (block_ < 1) init.fail("blocksize must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4 || x.dim(2) % block_ != 0 || x.dim(3) % block_ != 0)
      ctx.fail("expected input [N, C, H, W] with H and W divisible by " + std::to_string(block_) +
               ", got " + shape_to_string(x.shape()));
    ctx.set_output(0, x.dtype(),
                   {x.dim(0), x.dim(1) * block_ * block_, x.dim(2) / block_, x.dim(3) / block_});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t b = block_, n = x.dim(0), c = x.dim(1), w = x.dim(3);
    const int64_t ho = x.dim(2) / b, wo = w / b;
    // The output seen as [N, b, b, C, H/b, W/b]; strides locate each dim in x.
    const int64_t strides[6] = {c * x.dim(2) * w, w, 1, x.dim(2) * w, b * w, b};
    const int64_t dims[6] = {n, b, b, c, ho, wo};
    copy_strided(x, ctx.output(0), dims, 6, strides, 0);
  }

 private:
  int64_t block_;
};

}  // namespace
INFERA_REGISTER_OP("SpaceToDepth", SpaceToDepthKernel);
}  // namespace infera
