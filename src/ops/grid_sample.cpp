// GridSample (opset 16, 4-D): samples X [N, C, H, W] at the normalised (x, y) positions of
// grid [N, Ho, Wo, 2] ([-1, 1] spans the image), giving [N, C, Ho, Wo]. The test data comes
// from PyTorch's grid_sample, whose conventions this follows: border and reflection padding
// move the sampling point for bilinear and nearest, but move each tap for bicubic.
#include <cmath>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

enum class GridMode : uint8_t { kBilinear, kNearest, kBicubic };
enum class GridPadding : uint8_t { kZeros, kBorder, kReflection };

// Folds x into [low, high] (given doubled, so half-pixel bounds stay integral) by mirroring.
double reflect(double x, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return 0;
  const double low = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  x = std::fabs(x - low);
  const double extra = std::fmod(x, span);
  const int64_t flips = static_cast<int64_t>(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}

class GridSampleKernel final : public OpKernel {
 public:
  explicit GridSampleKernel(const KernelInit& init)
      : align_corners_(init.attr_int("align_corners", 0) != 0) {
    const std::string mode = init.attr_string("mode", "bilinear");
    if (mode == "bilinear" || mode == "linear") {
      mode_ = GridMode::kBilinear;
    } else if (mode == "nearest") {
      mode_ = GridMode::kNearest;
    } else if (mode == "bicubic" || mode == "cubic") {
      mode_ = GridMode::kBicubic;
    } else {
      init.fail("unknown mode '" + mode + "'");
    }
    const std::string padding = init.attr_string("padding_mode", "zeros");
    if (padding == "zeros") {
      padding_ = GridPadding::kZeros;
    } else if (padding == "border") {
      padding_ = GridPadding::kBorder;
    } else if (padding == "reflection") {
      padding_ = GridPadding::kReflection;
    } else {
      init.fail("unknown padding_mode '" + padding + "'");
    }
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    if (x.rank() != 4) ctx.fail("X must be [N, C, H, W], got " + shape_to_string(x.shape()));
    if (grid.rank() != 4 || grid.dim(0) != x.dim(0) || grid.dim(3) != 2) {
      ctx.fail("grid must be [" + std::to_string(x.dim(0)) + ", Ho, Wo, 2], got " +
               shape_to_string(grid.shape()));
    }
    ctx.set_output(0, x.dtype(), {x.dim(0), x.dim(1), grid.dim(1), grid.dim(2)});
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& grid = ctx.input(1);
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    const int64_t ho = grid.dim(1), wo = grid.dim(2);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      const T* g = grid.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t p = 0; p < ho * wo; ++p) {
          const T* gp = g + (b * ho * wo + p) * 2;
          const double ix = unnormalize(static_cast<double>(gp[0]), w);
          const double iy = unnormalize(static_cast<double>(gp[1]), h);
          for (int64_t ch = 0; ch < c; ++ch) {
            const T* plane = in + (b * c + ch) * h * w;
            out[(b * c + ch) * ho * wo + p] = T(sample(plane, h, w, ix, iy));
          }
        }
      }
    });
  }

 private:
  double unnormalize(double coord, int64_t size) const {
    return align_corners_ ? (coord + 1) / 2 * double(size - 1)
                          : ((coord + 1) * double(size) - 1) / 2;
  }

  // Applies border / reflection padding to a pixel coordinate.
  double pad_coordinate(double coord, int64_t size) const {
    if (padding_ == GridPadding::kZeros) return coord;
    if (padding_ == GridPadding::kReflection) {
      coord = align_corners_ ? reflect(coord, 0, 2 * (size - 1)) : reflect(coord, -1, 2 * size - 1);
    }
    return std::fmin(std::fmax(coord, 0.0), double(size - 1));
  }

  template <typename T>
  static double pixel(const T* plane, int64_t h, int64_t w, int64_t y, int64_t x) {
    if (y < 0 || y >= h || x < 0 || x >= w) return 0.0;
    return static_cast<double>(plane[y * w + x]);
  }

  template <typename T>
  double sample(const T* plane, int64_t h, int64_t w, double ix, double iy) const {
    if (mode_ == GridMode::kBicubic) return sample_bicubic(plane, h, w, ix, iy);
    ix = pad_coordinate(ix, w);
    iy = pad_coordinate(iy, h);
    if (mode_ == GridMode::kNearest) {
      return pixel(plane, h, w, static_cast<int64_t>(std::nearbyint(iy)),
                   static_cast<int64_t>(std::nearbyint(ix)));
    }
    const double x0 = std::floor(ix), y0 = std::floor(iy);
    const double tx = ix - x0, ty = iy - y0;
    const int64_t xi = static_cast<int64_t>(x0), yi = static_cast<int64_t>(y0);
    return pixel(plane, h, w, yi, xi) * (1 - tx) * (1 - ty) +
           pixel(plane, h, w, yi, xi + 1) * tx * (1 - ty) +
           pixel(plane, h, w, yi + 1, xi) * (1 - tx) * ty +
           pixel(plane, h, w, yi + 1, xi + 1) * tx * ty;
  }

  template <typename T>
  double sample_bicubic(const T* plane, int64_t h, int64_t w, double ix, double iy) const {
    const double x0 = std::floor(ix), y0 = std::floor(iy);
    double wx[4], wy[4];
    cubic_weights(ix - x0, wx);
    cubic_weights(iy - y0, wy);
    double sum = 0;
    for (int j = 0; j < 4; ++j) {
      for (int i = 0; i < 4; ++i) {
        // Each tap is padded on its own, then read with zeros outside.
        const double ty = pad_coordinate(y0 - 1 + j, h), tx = pad_coordinate(x0 - 1 + i, w);
        sum +=
            wy[j] * wx[i] * pixel(plane, h, w, static_cast<int64_t>(ty), static_cast<int64_t>(tx));
      }
    }
    return sum;
  }

  // Cubic convolution weights (A = -0.75, as PyTorch) for taps at -1, 0, 1, 2 from floor(x).
  static void cubic_weights(double t, double* wts) {
    const double a = -0.75;
    auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };
    auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };
    wts[0] = far(t + 1);
    wts[1] = near(t);
    wts[2] = near(1 - t);
    wts[3] = far(2 - t);
  }

  bool align_corners_;
  GridMode mode_ = GridMode::kBilinear;
  GridPadding padding_ = GridPadding::kZeros;
};

}  // namespace
INFERA_REGISTER_OP("GridSample", GridSampleKernel);
}  // namespace infera
