// Spatial geometry shared by Conv, ConvTranspose, their quantized forms and the pooling ops:
// kernel, strides, dilations, pads, auto_pad and ceil_mode resolved against an input shape.
//
// The resolved geometry is padded on the left to three spatial dims (extent 1, stride 1, no
// padding), so every kernel writes its loop nest once for 1-D, 2-D and 3-D. It is a fixed-size
// struct so run() can resolve it again without allocating.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infera/tensor.h"
#include "ops/op.h"

namespace infera {

constexpr int kMaxSpatialRank = 3;

enum class AutoPad { kNotSet, kValid, kSameUpper, kSameLower };

// The attributes as written on the node; empty vectors mean "use the default".
struct SpatialAttrs {
  AutoPad auto_pad = AutoPad::kNotSet;
  std::vector<int64_t> kernel_shape;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads;  // all begins, then all ends
  bool ceil_mode = false;
  std::vector<int64_t> output_padding;  // ConvTranspose
  std::vector<int64_t> output_shape;    // ConvTranspose, spatial dims only
};

// Reads the attributes above that the node has; validates auto_pad and value ranges.
SpatialAttrs parse_spatial_attrs(const KernelInit& init);

struct SpatialGeometry {
  int rank = 0;  // the real number of spatial dims
  int64_t in[kMaxSpatialRank] = {1, 1, 1};
  int64_t out[kMaxSpatialRank] = {1, 1, 1};
  int64_t kernel[kMaxSpatialRank] = {1, 1, 1};
  int64_t stride[kMaxSpatialRank] = {1, 1, 1};
  int64_t dilation[kMaxSpatialRank] = {1, 1, 1};
  int64_t pad_begin[kMaxSpatialRank] = {0, 0, 0};
  int64_t pad_end[kMaxSpatialRank] = {0, 0, 0};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // Appends the real spatial output dims to `shape`.
  void append_out_dims(Shape& shape) const;
};

// Conv and pooling: x is [N, C, D1..Dr]; `kernel` holds r extents. Returns an empty string on
// success, else a message naming what does not fit.
std::string resolve_forward_geometry(const SpatialAttrs& attrs, const Shape& x,
                                     const int64_t* kernel, SpatialGeometry& g);

// ConvTranspose: the output extent comes from output_shape, auto_pad or the pads.
std::string resolve_transpose_geometry(const SpatialAttrs& attrs, const Shape& x,
                                       const int64_t* kernel, SpatialGeometry& g);

// Half-open range of output positions o in [lo, hi) for which o * stride + offset lands inside
// [0, extent): lets inner loops skip padding without a branch per element.
inline void valid_output_range(int64_t offset, int64_t stride, int64_t extent, int64_t out,
                               int64_t& lo, int64_t& hi) {
  lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t last = extent - 1 - offset;  // need o * stride <= last
  hi = last < 0 ? 0 : last / stride + 1;
  if (hi > out) hi = out;
  if (lo > hi) lo = hi;
}

}  // namespace infera
