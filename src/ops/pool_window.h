// Window iteration shared by the pooling ops (AveragePool, MaxPool, LpPool).
//
// Along each dim the window of output position o covers input positions
// o * stride - pad_begin + k * dilation for k in [0, kernel); the ones inside the input form a
// contiguous range of k, so padding is skipped by clipping rather than testing.
#pragma once

#include <cstdint>

#include "ops/conv_geometry.h"
#include "ops/op.h"

namespace infera {

struct PoolWindow {
  int64_t start[kMaxSpatialRank];  // input position of k = 0 (may be in the padding)
  int64_t k_lo[kMaxSpatialRank];   // first k inside the input
  int64_t k_hi[kMaxSpatialRank];   // one past the last k inside the input
};

inline PoolWindow pool_window(const SpatialGeometry& g, const int64_t (&o)[kMaxSpatialRank]) {
  PoolWindow w;
  for (int d = 0; d < kMaxSpatialRank; ++d) {
    const int64_t start = o[d] * g.stride[d] - g.pad_begin[d];
    const int64_t dil = g.dilation[d];
    w.start[d] = start;
    w.k_lo[d] = start >= 0 ? 0 : (-start + dil - 1) / dil;
    const int64_t last = g.in[d] - 1 - start;  // need k * dil <= last
    w.k_hi[d] = last < 0 ? 0 : last / dil + 1;
    if (w.k_hi[d] > g.kernel[d]) w.k_hi[d] = g.kernel[d];
    if (w.k_lo[d] > w.k_hi[d]) w.k_lo[d] = w.k_hi[d];
  }
  return w;
}

// Number of window positions inside the input or its explicit padding (not counting the
// overhang that ceil_mode adds): AveragePool's divisor with count_include_pad.
inline int64_t pool_window_padded_count(const SpatialGeometry& g, const PoolWindow& w) {
  int64_t count = 1;
  for (int d = 0; d < kMaxSpatialRank; ++d) {
    int64_t n = 0;
    for (int64_t k = 0; k < g.kernel[d]; ++k) {
      const int64_t pos = w.start[d] + k * g.dilation[d];
      if (pos >= -g.pad_begin[d] && pos < g.in[d] + g.pad_end[d]) ++n;
    }
    count *= n;
  }
  return count;
}

// Calls f(out_offset, window) for every output position of one plane, in row-major order.
template <typename F>
void for_each_pool_window(const SpatialGeometry& g, F&& f) {
  int64_t o[kMaxSpatialRank];
  int64_t offset = 0;
  for (o[0] = 0; o[0] < g.out[0]; ++o[0])
    for (o[1] = 0; o[1] < g.out[1]; ++o[1])
      for (o[2] = 0; o[2] < g.out[2]; ++o[2]) f(offset++, pool_window(g, o));
}

// Calls f(in_offset, id, ih, iw) for every input position inside the window.
template <typename F>
void for_each_window_element(const SpatialGeometry& g, const PoolWindow& w, F&& f) {
  for (int64_t kd = w.k_lo[0]; kd < w.k_hi[0]; ++kd) {
    const int64_t id = w.start[0] + kd * g.dilation[0];
    for (int64_t kh = w.k_lo[1]; kh < w.k_hi[1]; ++kh) {
      const int64_t ih = w.start[1] + kh * g.dilation[1];
      const int64_t row = (id * g.in[1] + ih) * g.in[2];
      for (int64_t kw = w.k_lo[2]; kw < w.k_hi[2]; ++kw) {
        const int64_t iw = w.start[2] + kw * g.dilation[2];
        f(row + iw, id, ih, iw);
      }
    }
  }
}

// Resolves a pooling node's geometry for input 0, failing with the reason when it does not fit.
// kernel_shape is required for pooling; the constructor checks it is there.
inline SpatialGeometry resolve_pool_geometry(const SpatialAttrs& a, const Shape& x,
                                             const InferContext* ctx) {
  SpatialGeometry g;
  if (a.kernel_shape.size() + 2 != x.size() && ctx)
    ctx->fail("kernel_shape " + shape_to_string(a.kernel_shape) + " does not fit X " +
              shape_to_string(x));
  const std::string err = resolve_forward_geometry(a, x, a.kernel_shape.data(), g);
  if (!err.empty() && ctx) ctx->fail(err);
  return g;
}

// The pooled output shape [N, C, out...].
inline Shape pool_output_shape(const Shape& x, const SpatialGeometry& g) {
  Shape y{x[0], x[1]};
  g.append_out_dims(y);
  return y;
}

}  // namespace infera
