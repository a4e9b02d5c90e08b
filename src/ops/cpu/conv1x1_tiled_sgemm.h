// A pointwise convolution (1x1 kernel, stride 1, no padding, one group) over NCHW computed as
// fixed tiles of
//   Y[n][oc, pixel] = W[oc, ic] @ X[n][ic, pixel] (+ Y's prior contents) (+ bias[oc]),
// each tile one single-threaded oneDNN sgemm, the tiles shared out among the threads. The tiles
// depend only on the layer's shape, never on the batch or the thread count, so every output
// element is summed in one fixed order. SessionOptions::deterministic uses it in place of
// oneDNN's gemm convolution, whose sgemm splits the IC reduction among threads when a small
// batch leaves it too little other work (measured: batch 1 at 8 threads, docs/DECISIONS.md).
#pragma once

#include <cstdint>

namespace infera::onednn {

struct PointwiseConvShape {
  int64_t batch = 0, in_channels = 0, out_channels = 0, pixels = 0;
};

// x [batch, in_channels, pixels], w [out_channels, in_channels], y [batch, out_channels, pixels];
// bias may be null; accumulate adds to what y holds (the residual of FusedConv).
void conv1x1_nchw_f32_tiled_sgemm(const PointwiseConvShape& shape, const float* x, const float* w,
                                  const float* bias, bool accumulate, float* y, int threads);

}  // namespace infera::onednn
