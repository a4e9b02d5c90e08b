// N-d interpolation shared by Resize (opsets 10, 11, 13, ...) and the deprecated Upsample.
//
// Each output coordinate maps back to a fractional input coordinate (the
// coordinate_transformation_mode); the mode then picks up to 4 input taps per axis with
// weights (nearest: one, linear: two, cubic: four, out-of-range taps clamped to the edge);
// the output is the weighted sum over the product of the axes' taps. The formulas follow
// the ONNX reference implementation, including its use of scale * input_length (not the
// rounded output length) as the "resized length".
#pragma once

#include <cstdint>
#include <string>

#include "infera/tensor.h"
#include "ops/dispatch.h"
#include "ops/nd_iter.h"

namespace infera {

enum class ResizeMode : uint8_t { kNearest, kLinear, kCubic };

enum class ResizeCoordMode : uint8_t {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};

enum class ResizeNearestMode : uint8_t {
  kRoundPreferFloor,
  kRoundPreferCeil,
  kFloor,
  kCeil,
  kSimple,  // Resize-10 / Upsample: truncate when enlarging, ceil when shrinking
};

struct ResizeConfig {
  ResizeMode mode = ResizeMode::kNearest;
  ResizeCoordMode coord = ResizeCoordMode::kHalfPixel;
  ResizeNearestMode nearest = ResizeNearestMode::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  double extrapolation_value = 0.0;
};

// Parsers for the string attributes; return false on an unknown name.
bool parse_resize_mode(const std::string& s, ResizeMode& out);
bool parse_resize_coord_mode(const std::string& s, ResizeCoordMode& out);
bool parse_resize_nearest_mode(const std::string& s, ResizeNearestMode& out);

// The input positions and weights one output coordinate reads along one axis.
struct ResizeTaps {
  int count = 0;
  int64_t index[4] = {};
  double weight[4] = {};
  bool outside = false;  // tf_crop_and_resize: the coordinate left the input
};

// Taps for output position `x` along an axis of `in_len` inputs and `out_len` outputs,
// resized by `scale`; roi_start/roi_end are used by tf_crop_and_resize only.
ResizeTaps resize_taps(const ResizeConfig& cfg, int64_t x, int64_t in_len, int64_t out_len,
                       double scale, double roi_start, double roi_end);

// Resizes `in` (shape in_shape) into `out` (shape out_shape). scales and roi (2*rank values:
// starts then ends; null for [0..1]) are per axis.
template <typename T>
void resize_nd(const ResizeConfig& cfg, const T* in, const Shape& in_shape, T* out,
               const Shape& out_shape, const double* scales, const double* roi) {
  const int rank = static_cast<int>(in_shape.size());
  int64_t in_strides[kMaxIterRank];
  row_major_strides(in_shape, in_strides);
  int64_t pos[kMaxIterRank] = {};
  ResizeTaps taps[kMaxIterRank];
  const int64_t total = shape_numel(out_shape);
  for (int64_t o = 0; o < total; ++o) {
    bool outside = false;
    int64_t combos = 1;
    for (int d = 0; d < rank; ++d) {
      taps[d] = resize_taps(cfg, pos[d], in_shape[d], out_shape[d], scales[d], roi ? roi[d] : 0.0,
                            roi ? roi[rank + d] : 1.0);
      outside = outside || taps[d].outside;
      combos *= taps[d].count;
    }
    if (outside) {
      out[o] = T(cfg.extrapolation_value);
    } else {
      // Visit every combination of one tap per axis, like an odometer over tap numbers.
      double sum = 0;
      int choice[kMaxIterRank] = {};
      for (int64_t c = 0; c < combos; ++c) {
        double w = 1;
        int64_t off = 0;
        for (int d = 0; d < rank; ++d) {
          w *= taps[d].weight[choice[d]];
          off += taps[d].index[choice[d]] * in_strides[d];
        }
        sum += w * static_cast<double>(in[off]);
        for (int d = rank; d-- > 0;) {
          if (++choice[d] < taps[d].count) break;
          choice[d] = 0;
        }
      }
      out[o] = T(sum);
    }
    for (int d = rank; d-- > 0;) {
      if (++pos[d] < out_shape[d]) break;
      pos[d] = 0;
    }
  }
}

// Dispatches resize_nd over the element types Resize accepts.
void resize_tensor(const ResizeConfig& cfg, const Tensor& in, Tensor& out, const double* scales,
                   const double* roi);

}  // namespace infera
