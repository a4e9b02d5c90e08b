#include "ops/resize_engine.h"

#include <cmath>

namespace infera {

bool parse_resize_mode(const std::string& s, ResizeMode& out) {
  if (s == "nearest") {
    out = ResizeMode::kNearest;
  } else if (s == "linear" || s == "bilinear" || s == "trilinear") {
    out = ResizeMode::kLinear;
  } else if (s == "cubic" || s == "bicubic") {
    out = ResizeMode::kCubic;
  } else {
    return false;
  }
  return true;
}

bool parse_resize_coord_mode(const std::string& s, ResizeCoordMode& out) {
  static const struct {
    const char* name;
    ResizeCoordMode mode;
  } kModes[] = {
      {"half_pixel", ResizeCoordMode::kHalfPixel},
      {"half_pixel_symmetric", ResizeCoordMode::kHalfPixelSymmetric},
      {"pytorch_half_pixel", ResizeCoordMode::kPytorchHalfPixel},
      {"align_corners", ResizeCoordMode::kAlignCorners},
      {"asymmetric", ResizeCoordMode::kAsymmetric},
      {"tf_half_pixel_for_nn", ResizeCoordMode::kTfHalfPixelForNn},
      {"tf_crop_and_resize", ResizeCoordMode::kTfCropAndResize},
  };
  for (const auto& m : kModes) {
    if (s == m.name) {
      out = m.mode;
      return true;
    }
  }
  return false;
}

bool parse_resize_nearest_mode(const std::string& s, ResizeNearestMode& out) {
  if (s == "round_prefer_floor") {
    out = ResizeNearestMode::kRoundPreferFloor;
  } else if (s == "round_prefer_ceil") {
    out = ResizeNearestMode::kRoundPreferCeil;
  } else if (s == "floor") {
    out = ResizeNearestMode::kFloor;
  } else if (s == "ceil") {
    out = ResizeNearestMode::kCeil;
  } else {
    return false;
  }
  return true;
}

namespace {

// Output coordinate x mapped into input coordinates.
double original_coordinate(const ResizeConfig& cfg, int64_t x_int, int64_t in_len, int64_t out_len,
                           double scale, double roi_start, double roi_end) {
  const double x = static_cast<double>(x_int);
  const double resized_len = scale * static_cast<double>(in_len);
  switch (cfg.coord) {
    case ResizeCoordMode::kHalfPixel:
      return (x + 0.5) / scale - 0.5;
    case ResizeCoordMode::kHalfPixelSymmetric: {
      // Centres the sampled window when rounding made the output a little shorter.
      const double adjustment = static_cast<double>(out_len) / resized_len;
      const double center = static_cast<double>(in_len) / 2;
      const double offset = center * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case ResizeCoordMode::kPytorchHalfPixel:
      return resized_len == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case ResizeCoordMode::kAlignCorners:
      return resized_len == 1 ? 0.0 : x * static_cast<double>(in_len - 1) / (resized_len - 1);
    case ResizeCoordMode::kAsymmetric:
      return x / scale;
    case ResizeCoordMode::kTfHalfPixelForNn:
      return (x + 0.5) / scale;
    case ResizeCoordMode::kTfCropAndResize: {
      const double span = (roi_end - roi_start) * static_cast<double>(in_len - 1);
      const double start = roi_start * static_cast<double>(in_len - 1);
      return resized_len == 1 ? start + span / 2 : start + x * span / (resized_len - 1);
    }
  }
  return 0.0;
}

int64_t nearest_index(ResizeNearestMode mode, double x, double scale) {
  const double fl = std::floor(x);
  const double frac = x - fl;
  switch (mode) {
    case ResizeNearestMode::kRoundPreferFloor:
      return static_cast<int64_t>(frac <= 0.5 ? fl : fl + 1);
    case ResizeNearestMode::kRoundPreferCeil:
      return static_cast<int64_t>(frac < 0.5 ? fl : fl + 1);
    case ResizeNearestMode::kFloor:
      return static_cast<int64_t>(fl);
    case ResizeNearestMode::kCeil:
      return static_cast<int64_t>(std::ceil(x));
    case ResizeNearestMode::kSimple:
      return static_cast<int64_t>(scale < 1 ? std::ceil(x) : std::trunc(x));
  }
  return 0;
}

int64_t clamp_index(int64_t i, int64_t len) {
  return i < 0 ? 0 : i >= len ? len - 1 : i;
}

// Keys' cubic convolution weights for taps at offsets -1, 0, 1, 2 from floor(x).
void cubic_weights(double t, double a, double* w) {
  auto near = [a](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };       // |d| <= 1
  auto far = [a](double d) { return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a; };  // 1..2
  w[0] = far(t + 1);
  w[1] = near(t);
  w[2] = near(1 - t);
  w[3] = far(2 - t);
}

}  // namespace

ResizeTaps resize_taps(const ResizeConfig& cfg, int64_t x, int64_t in_len, int64_t out_len,
                       double scale, double roi_start, double roi_end) {
  ResizeTaps taps;
  const double xo = original_coordinate(cfg, x, in_len, out_len, scale, roi_start, roi_end);
  if (cfg.coord == ResizeCoordMode::kTfCropAndResize &&
      (xo < 0 || xo > static_cast<double>(in_len - 1))) {
    taps.outside = true;
    return taps;
  }
  if (cfg.mode == ResizeMode::kNearest) {
    taps.count = 1;
    taps.index[0] = clamp_index(nearest_index(cfg.nearest, xo, scale), in_len);
    taps.weight[0] = 1.0;
    return taps;
  }
  // The reference prefers the left neighbour: an integral coordinate k is read as k-1 + 1.0.
  double base = std::floor(xo);
  double t = xo - base;
  if (t == 0) {
    base -= 1;
    t = 1;
  }
  const int64_t b = static_cast<int64_t>(base);
  double w[4];
  int64_t first;
  if (cfg.mode == ResizeMode::kLinear) {
    taps.count = 2;
    w[0] = 1 - t;
    w[1] = t;
    first = b;
  } else {
    taps.count = 4;
    cubic_weights(t, cfg.cubic_a, w);
    first = b - 1;
  }
  double total = 0;
  for (int k = 0; k < taps.count; ++k) {
    const int64_t i = first + k;
    if (cfg.exclude_outside && (i < 0 || i >= in_len)) w[k] = 0;
    taps.index[k] = clamp_index(i, in_len);
    taps.weight[k] = w[k];
    total += w[k];
  }
  if (cfg.exclude_outside && total != 0) {
    for (int k = 0; k < taps.count; ++k) taps.weight[k] /= total;
  }
  return taps;
}

void resize_tensor(const ResizeConfig& cfg, const Tensor& in, Tensor& out, const double* scales,
                   const double* roi) {
  auto run = [&]<typename T>() {
    resize_nd<T>(cfg, in.data<T>(), in.shape(), out.data<T>(), out.shape(), scales, roi);
  };
  dispatch_numeric(in.dtype(), run);
}

}  // namespace infera
