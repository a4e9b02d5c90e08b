// RoiAlign: pools each region of interest (x1, y1, x2, y2 in input pixels times spatial_scale)
// of its batch item into an output_height x output_width grid, averaging (or taking the max
// of) bilinear samples on a regular sub-grid of each bin. Follows the reference behaviour of
// ONNX Runtime, including its "max of weighted corners" for mode=max.
#include <algorithm>
#include <cmath>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

struct RoiGeometry {
  double start_h, start_w, bin_h, bin_w;
  int64_t grid_h, grid_w;
};

class RoiAlignKernel final : public OpKernel {
 public:
  explicit RoiAlignKernel(const KernelInit& init)
      : half_pixel_(init.attr_string("coordinate_transformation_mode",
                                     init.opset() >= 16 ? "half_pixel" : "output_half_pixel") ==
                    "half_pixel"),
        max_mode_(init.attr_string("mode", "avg") == "max"),
        out_h_(init.attr_int("output_height", 1)),
        out_w_(init.attr_int("output_width", 1)),
        sampling_ratio_(init.attr_int("sampling_ratio", 0)),
        spatial_scale_(init.attr_float("spatial_scale", 1.0f)) {
    const std::string mode = init.attr_string("mode", "avg");
    if (mode != "avg" && mode != "max") init.fail("mode must be avg or max, got '" + mode + "'");
    if (out_h_ < 1 || out_w_ < 1) init.fail("output_height and output_width must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    if (x.rank() != 4) ctx.fail("X must be [N, C, H, W], got " + shape_to_string(x.shape()));
    if (rois.rank() != 2 || rois.dim(1) != 4) {
      ctx.fail("rois must be [num_rois, 4], got " + shape_to_string(rois.shape()));
    }
    if (batch.shape() != Shape{rois.dim(0)}) {
      ctx.fail("batch_indices shape " + shape_to_string(batch.shape()) + ", expected [" +
               std::to_string(rois.dim(0)) + "]");
    }
    ctx.set_output(0, x.dtype(), {rois.dim(0), x.dim(1), out_h_, out_w_});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& rois = ctx.input(1);
    const Tensor& batch = ctx.input(2);
    const int64_t channels = x.dim(1), h = x.dim(2), w = x.dim(3);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t r = 0; r < rois.dim(0); ++r) {
        const int64_t b = read_scalar_int(batch, r);
        if (b < 0 || b >= x.dim(0)) {
          ctx.fail("batch index " + std::to_string(b) + " of roi " + std::to_string(r) +
                   " is outside [0, " + std::to_string(x.dim(0)) + ")");
        }
        const RoiGeometry geo = geometry(rois, r);
        for (int64_t c = 0; c < channels; ++c) {
          const T* plane = in + (b * channels + c) * h * w;
          T* dst = out + (r * channels + c) * out_h_ * out_w_;
          for (int64_t ph = 0; ph < out_h_; ++ph) {
            for (int64_t pw = 0; pw < out_w_; ++pw)
              dst[ph * out_w_ + pw] = T(pool(plane, h, w, geo, ph, pw));
          }
        }
      }
    });
  }

 private:
  RoiGeometry geometry(const Tensor& rois, int64_t r) const {
    const double offset = half_pixel_ ? 0.5 : 0.0;
    double box[4];
    for (int k = 0; k < 4; ++k)
      box[k] = read_scalar_double(rois, r * 4 + k) * spatial_scale_ - offset;
    double roi_w = box[2] - box[0], roi_h = box[3] - box[1];
    if (!half_pixel_) {  // the legacy mode forces regions to at least one pixel
      roi_w = std::max(roi_w, 1.0);
      roi_h = std::max(roi_h, 1.0);
    }
    RoiGeometry g;
    g.start_w = box[0];
    g.start_h = box[1];
    g.bin_h = roi_h / double(out_h_);
    g.bin_w = roi_w / double(out_w_);
    g.grid_h = sampling_ratio_ > 0 ? sampling_ratio_ : int64_t(std::ceil(roi_h / double(out_h_)));
    g.grid_w = sampling_ratio_ > 0 ? sampling_ratio_ : int64_t(std::ceil(roi_w / double(out_w_)));
    return g;
  }

  template <typename T>
  double pool(const T* plane, int64_t h, int64_t w, const RoiGeometry& g, int64_t ph,
              int64_t pw) const {
    double acc = 0;
    bool first = true;
    for (int64_t iy = 0; iy < g.grid_h; ++iy) {
      const double y = g.start_h + ph * g.bin_h + (iy + 0.5) * g.bin_h / double(g.grid_h);
      for (int64_t ix = 0; ix < g.grid_w; ++ix) {
        const double x = g.start_w + pw * g.bin_w + (ix + 0.5) * g.bin_w / double(g.grid_w);
        const double v = bilinear(plane, h, w, y, x);
        acc = max_mode_ ? (first ? v : std::max(acc, v)) : acc + v;
        first = false;
      }
    }
    if (max_mode_) return acc;
    return acc / double(std::max<int64_t>(g.grid_h * g.grid_w, 1));
  }

  // One bilinear sample; samples more than a pixel outside the image count as zero.
  template <typename T>
  double bilinear(const T* plane, int64_t h, int64_t w, double y, double x) const {
    if (y < -1.0 || y > double(h) || x < -1.0 || x > double(w)) return 0.0;
    y = std::max(y, 0.0);
    x = std::max(x, 0.0);
    int64_t y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(x), y1, x1;
    if (y0 >= h - 1) {
      y0 = y1 = h - 1;
      y = double(y0);
    } else {
      y1 = y0 + 1;
    }
    if (x0 >= w - 1) {
      x0 = x1 = w - 1;
      x = double(x0);
    } else {
      x1 = x0 + 1;
    }
    const double ly = y - double(y0), lx = x - double(x0), hy = 1 - ly, hx = 1 - lx;
    const double v[4] = {hy * hx * double(plane[y0 * w + x0]), hy * lx * double(plane[y0 * w + x1]),
                         ly * hx * double(plane[y1 * w + x0]),
                         ly * lx * double(plane[y1 * w + x1])};
    if (max_mode_) return std::max(std::max(v[0], v[1]), std::max(v[2], v[3]));
    return v[0] + v[1] + v[2] + v[3];
  }

  bool half_pixel_;
  bool max_mode_;
  int64_t out_h_, out_w_;
  int64_t sampling_ratio_;
  double spatial_scale_;
};

}  // namespace
INFERA_REGISTER_OP("RoiAlign", RoiAlignKernel);
}  // namespace infera
