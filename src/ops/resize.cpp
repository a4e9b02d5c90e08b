// Resize: nearest / linear / cubic interpolation of an N-d tensor.
//   opset 10:  inputs (X, scales); asymmetric coordinates, nearest truncates (as Upsample).
//   opset 11+: inputs (X, roi, scales, sizes); coordinate_transformation_mode, nearest_mode,
//              cubic_coeff_a, exclude_outside, extrapolation_value.
//   opset 18+: axes and keep_aspect_ratio_policy; antialias is not supported.
// The output shape comes from scales or sizes, so it is dynamic unless those are known.
#include <cmath>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/resize_engine.h"

namespace infera {
namespace {

enum class AspectPolicy : uint8_t { kStretch, kNotLarger, kNotSmaller };

// Per-axis scales, output dims and roi for one input, in fixed arrays.
struct ResizePlan {
  int rank = 0;
  double scales[kMaxIterRank];
  int64_t out_dims[kMaxIterRank];
  double roi[2 * kMaxIterRank];
  bool has_roi = false;
};

class ResizeKernel final : public OpKernel {
 public:
  explicit ResizeKernel(const KernelInit& init)
      : opset_(init.opset()), axes_(init.attr_ints("axes")) {
    const std::string mode = init.attr_string("mode", "nearest");
    if (!parse_resize_mode(mode, cfg_.mode)) init.fail("unknown mode '" + mode + "'");
    if (opset_ < 11) {
      cfg_.coord = ResizeCoordMode::kAsymmetric;
      cfg_.nearest = ResizeNearestMode::kSimple;
      if (cfg_.mode == ResizeMode::kCubic) init.fail("cubic mode needs opset 11");
      return;
    }
    const std::string coord = init.attr_string("coordinate_transformation_mode", "half_pixel");
    if (!parse_resize_coord_mode(coord, cfg_.coord)) {
      init.fail("unknown coordinate_transformation_mode '" + coord + "'");
    }
    const std::string nearest = init.attr_string("nearest_mode", "round_prefer_floor");
    if (!parse_resize_nearest_mode(nearest, cfg_.nearest)) {
      init.fail("unknown nearest_mode '" + nearest + "'");
    }
    cfg_.cubic_a = init.attr_float("cubic_coeff_a", -0.75f);
    cfg_.exclude_outside = init.attr_int("exclude_outside", 0) != 0;
    cfg_.extrapolation_value = init.attr_float("extrapolation_value", 0.0f);
    if (init.attr_int("antialias", 0) != 0) init.unsupported("antialias is not supported");
    const std::string policy = init.attr_string("keep_aspect_ratio_policy", "stretch");
    if (policy == "not_larger") {
      policy_ = AspectPolicy::kNotLarger;
    } else if (policy == "not_smaller") {
      policy_ = AspectPolicy::kNotSmaller;
    } else if (policy != "stretch") {
      init.fail("unknown keep_aspect_ratio_policy '" + policy + "'");
    }
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() > kMaxIterRank) ctx.fail("rank above 16 is not supported");
    const Tensor* scales = input_if(ctx, opset_ < 11 ? 1 : 2);
    const Tensor* sizes = opset_ < 11 ? nullptr : input_if(ctx, 3);
    if ((scales && !scales->has_data()) || (sizes && !sizes->has_data())) {
      ctx.set_output_dynamic(0);
      return;
    }
    const ResizePlan plan = make_plan(ctx, x, ctx.node());
    ctx.set_output(0, x.dtype(), Shape(plan.out_dims, plan.out_dims + plan.rank));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const ResizePlan plan = make_plan(ctx, x, ctx.node());
    Tensor& y = data_dependent_output(ctx, 0, x.dtype(), plan.out_dims, plan.rank);
    resize_tensor(cfg_, x, y, plan.scales, plan.has_roi ? plan.roi : nullptr);
  }

 private:
  // A present, non-empty optional input (empty tensors stand for "not given" in Resize).
  template <typename Ctx>
  static const Tensor* input_if(const Ctx& ctx, int i) {
    if (!ctx.has_input(i)) return nullptr;
    const Tensor& t = ctx.input(i);
    return t.numel() > 0 ? &t : nullptr;
  }

  template <typename Ctx>
  ResizePlan make_plan(const Ctx& ctx, const Tensor& x, const Node& node) const {
    auto fail = [&](const std::string& msg) {
      throw Error(ErrorKind::kInvalidArgument, node.describe() + ": " + msg);
    };
    ResizePlan plan;
    plan.rank = x.rank();
    int axes[kMaxIterRank];
    const int n_axes = resolve_axes(x.rank(), axes, fail);
    for (int d = 0; d < plan.rank; ++d) {
      plan.scales[d] = 1.0;
      plan.out_dims[d] = x.dim(d);
      plan.roi[d] = 0.0;
      plan.roi[plan.rank + d] = 1.0;
    }
    const Tensor* scales = input_if(ctx, opset_ < 11 ? 1 : 2);
    const Tensor* sizes = opset_ < 11 ? nullptr : input_if(ctx, 3);
    if ((scales == nullptr) == (sizes == nullptr))
      fail("exactly one of scales and sizes is needed");
    const Tensor* given = scales ? scales : sizes;
    if (given->numel() != n_axes) {
      fail(std::string(scales ? "scales" : "sizes") + " has " + std::to_string(given->numel()) +
           " values, expected " + std::to_string(n_axes) + " for input " +
           shape_to_string(x.shape()));
    }
    if (scales) {
      for (int k = 0; k < n_axes; ++k) {
        const double s = read_scalar_double(*scales, k);
        if (!(s > 0)) fail("scales must be positive, got " + std::to_string(s));
        plan.scales[axes[k]] = s;
        plan.out_dims[axes[k]] = static_cast<int64_t>(std::floor(s * double(x.dim(axes[k]))));
      }
    } else {
      sizes_to_scales(*sizes, x, axes, n_axes, plan);
    }
    const Tensor* roi = opset_ < 11 ? nullptr : input_if(ctx, 1);
    if (roi && cfg_.coord == ResizeCoordMode::kTfCropAndResize) {
      if (roi->numel() != 2 * n_axes) fail("roi needs 2 values per resized axis");
      for (int k = 0; k < n_axes; ++k) {
        plan.roi[axes[k]] = read_scalar_double(*roi, k);
        plan.roi[plan.rank + axes[k]] = read_scalar_double(*roi, n_axes + k);
      }
      plan.has_roi = true;
    }
    return plan;
  }

  template <typename Fail>
  int resolve_axes(int rank, int* axes, Fail&& fail) const {
    if (axes_.empty()) {
      for (int d = 0; d < rank; ++d) axes[d] = d;
      return rank;
    }
    if (static_cast<int>(axes_.size()) > rank) fail("more axes than the input has dimensions");
    for (size_t k = 0; k < axes_.size(); ++k) {
      const int64_t a = axes_[k];
      if (a < -rank || a >= rank) fail("axis " + std::to_string(a) + " is out of range");
      axes[k] = static_cast<int>(a < 0 ? a + rank : a);
    }
    return static_cast<int>(axes_.size());
  }

  void sizes_to_scales(const Tensor& sizes, const Tensor& x, const int* axes, int n_axes,
                       ResizePlan& plan) const {
    if (policy_ == AspectPolicy::kStretch) {
      for (int k = 0; k < n_axes; ++k) {
        const int64_t out = read_scalar_int(sizes, k);
        plan.out_dims[axes[k]] = out;
        plan.scales[axes[k]] = double(out) / double(x.dim(axes[k]));
      }
      return;
    }
    // One scale for every resized axis, the largest that fits (or the smallest that covers).
    double scale = policy_ == AspectPolicy::kNotLarger ? INFINITY : 0.0;
    for (int k = 0; k < n_axes; ++k) {
      const double s = double(read_scalar_int(sizes, k)) / double(x.dim(axes[k]));
      scale = policy_ == AspectPolicy::kNotLarger ? std::fmin(scale, s) : std::fmax(scale, s);
    }
    for (int k = 0; k < n_axes; ++k) {
      plan.scales[axes[k]] = scale;
      plan.out_dims[axes[k]] =
          static_cast<int64_t>(std::floor(scale * double(x.dim(axes[k])) + 0.5));
    }
  }

  int64_t opset_;
  std::vector<int64_t> axes_;
  ResizeConfig cfg_;
  AspectPolicy policy_ = AspectPolicy::kStretch;
};

}  // namespace
INFERA_REGISTER_OP_RANGE("", "Resize", 10, 1000, ResizeKernel);
}  // namespace infera
