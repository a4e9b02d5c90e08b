// DepthToSpace: [N, C, H, W] -> [N, C/(b*b), H*b, W*b], moving channel blocks into b x b pixel
// tiles. DCR reads the channel as (block row, block col, c); CRD as (c, block row, block col).
#include "ops/movement.h"

namespace infera {
namespace {

class DepthToSpaceKernel final : public OpKernel {
 public:
  explicit DepthToSpaceKernel(const KernelInit& init)
      : block_(init.attr_int("blocksize")), crd_(init.attr_string("mode", "DCR") == "CRD") {
    const std::string mode = init.attr_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") init.fail("mode must be DCR or CRD, got " + mode);
    if (block_ < 1) init.fail("blocksize must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 4 || x.dim(1) % (block_ * block_) != 0)
      ctx.fail("expected input [N, C, H, W] with C divisible by " +
               std::to_string(block_ * block_) + ", got " + shape_to_string(x.shape()));
    ctx.set_output(0, x.dtype(),
                   {x.dim(0), x.dim(1) / (block_ * block_), x.dim(2) * block_, x.dim(3) * block_});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t b = block_, n = x.dim(0), h = x.dim(2), w = x.dim(3);
    const int64_t c = x.dim(1) / (b * b);
    // The output seen as [N, C', H, b, W, b]; strides say where each of its dims lives in x.
    const int64_t hw = h * w;
    const int64_t channel = crd_ ? b * b * hw : hw;
    const int64_t block_row = crd_ ? b * hw : b * c * hw;
    const int64_t block_col = crd_ ? hw : c * hw;
    const int64_t strides[6] = {x.dim(1) * hw, channel, w, block_row, 1, block_col};
    const int64_t dims[6] = {n, c, h, b, w, b};
    copy_strided(x, ctx.output(0), dims, 6, strides, 0);
  }

 private:
  int64_t block_;
  bool crd_;
};

}  // namespace
INFERA_REGISTER_OP("DepthToSpace", DepthToSpaceKernel);
}  // namespace infera
