// Upsample (deprecated since opset 10): Resize with asymmetric coordinates, scales as an
// attribute (opset 7) or as input 1 (opset 9).
#include <cmath>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/resize_engine.h"

namespace infera {
namespace {

class UpsampleKernel final : public OpKernel {
 public:
  explicit UpsampleKernel(const KernelInit& init)
      : scales_from_input_(init.opset() >= 9), attr_scales_(init.attr_floats("scales")) {
    const std::string mode = init.attr_string("mode", "nearest");
    if (!parse_resize_mode(mode, cfg_.mode) || cfg_.mode == ResizeMode::kCubic) {
      init.fail("mode must be nearest or linear, got '" + mode + "'");
    }
    cfg_.coord = ResizeCoordMode::kAsymmetric;
    cfg_.nearest = ResizeNearestMode::kSimple;
    if (!scales_from_input_ && attr_scales_.empty()) init.fail("attribute scales is required");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (scales_from_input_ && !ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    double scales[kMaxIterRank];
    int64_t dims[kMaxIterRank];
    plan(scales_from_input_ ? &ctx.input(1) : nullptr, x, ctx.node(), scales, dims);
    ctx.set_output(0, x.dtype(), Shape(dims, dims + x.rank()));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    double scales[kMaxIterRank];
    int64_t dims[kMaxIterRank];
    plan(scales_from_input_ ? &ctx.input(1) : nullptr, x, ctx.node(), scales, dims);
    Tensor& y = data_dependent_output(ctx, 0, x.dtype(), dims, x.rank());
    resize_tensor(cfg_, x, y, scales, nullptr);
  }

 private:
  void plan(const Tensor* scales_input, const Tensor& x, const Node& node, double* scales,
            int64_t* dims) const {
    const int64_t n = scales_input ? scales_input->numel() : int64_t(attr_scales_.size());
    if (n != x.rank() || x.rank() > kMaxIterRank) {
      throw Error(ErrorKind::kInvalidArgument, node.describe() + ": " + std::to_string(n) +
                                                   " scales for input " +
                                                   shape_to_string(x.shape()));
    }
    for (int d = 0; d < x.rank(); ++d) {
      scales[d] = scales_input ? read_scalar_double(*scales_input, d) : attr_scales_[size_t(d)];
      dims[d] = static_cast<int64_t>(std::floor(scales[d] * double(x.dim(d))));
    }
  }

  bool scales_from_input_;
  std::vector<float> attr_scales_;
  ResizeConfig cfg_;
};

}  // namespace
INFERA_REGISTER_OP_RANGE("", "Upsample", 7, 1000, UpsampleKernel);
}  // namespace infera
