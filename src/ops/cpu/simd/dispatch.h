// The float32 micro-kernels behind the fast element-wise, softmax, normalisation and
// reduction variants (src/ops/cpu/*_simd.cpp), one table per instruction set: AVX-512, AVX2+FMA
// and portable C++. The best table the CPU supports is chosen once, on first use; tests may
// force a lower one to check every level against the reference kernels.
#pragma once

#include <cstdint>

namespace infera::simd {

enum class SimdLevel { kPortable = 0, kAvx2 = 1, kAvx512 = 2 };

enum class UnaryOp {
  kRelu,
  kClip,  // min(max(x, alpha), beta)
  kSigmoid,
  kTanh,
  kErf,
  kExp,
  kHardSwish,
  kHardSigmoid,  // clamp(alpha * x + beta, 0, 1)
  kLeakyRelu,    // x < 0 ? alpha * x : x
  kSiLU,         // x * sigmoid(x)
  kCount
};

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kCount };
// How the two operands of one contiguous run line up: both vectors, or one a repeated scalar.
enum class BinaryMode { kVectorVector, kVectorScalar, kScalarVector, kCount };

struct UnaryParams {
  float alpha = 0;
  float beta = 0;
};

using UnaryFn = void (*)(const float* x, float* y, int64_t n, const UnaryParams& params);
// y[r][i] = a[r * a_row_stride + i] op b[r * b_row_stride + i] (a[r * a_row_stride] alone for
// kScalarVector, b's likewise for kVectorScalar) for r < rows, i < n; y's rows are contiguous.
using BinaryFn = void (*)(const float* a, int64_t a_row_stride, const float* b,
                          int64_t b_row_stride, float* y, int64_t rows, int64_t n);

// One output row of a channels-last 2-D convolution with few input channels
// (conv_nhwc_small_cin_f32.cpp), on an input already zero-padded: for each output column ow
// and channel m,
//   y[ow][m] = clamp(bias[m] + sum over (kh, kw, c) of x[kh][ow * stride + kw * dilation][c]
//                    * w[kh][kw][c][m] + z[ow][m])
// where x[kh] is the row kh * x_row_stride floats below `x`, laid out [column][channel].
struct ConvNhwcRow {
  const float* x;        // the window's first row for this output row, at column 0
  int64_t x_row_stride;  // floats from one kernel row to the next (dilation included)
  const float* weights;  // [kernel_h][kernel_w][in_channels][out_channels]
  const float* bias;     // [out_channels] or null
  const float* z;        // [out_width][out_channels] or null
  float* y;              // [out_width][out_channels]
  int64_t out_width, in_channels, out_channels;  // out_channels: a multiple of 16
  int64_t kernel_h, kernel_w, stride, dilation;  // along the row: stride and dilation
  float clip_min, clip_max;  // Relu and Clip in registers; -inf, +inf change nothing (NaN too)
  // Fused 2x2 stride-2 max pool: x is the window of the first conv row of a pair, the
  // second's is x_pair_step floats further, and y is the pooled row
  // [out_width / 2][out_channels]; an odd last column is dropped.
  bool max_pool_2x2;
  int64_t x_pair_step;
};

// One output row of a channels-last 2-D max pool (max_pool_nhwc_row.h): for each output column
// ox and channel c, y[ox][c] = the maximum of x[i][col][c] over the window rows i < rows and the
// window columns col = ox * stride - pad_begin + k * dilation, k < kernel_w, inside the map; 0
// when none is.
struct MaxPoolNhwcRow {
  const float* x;      // the window's first row inside the map, at column 0: [in_width][channels]
  int64_t x_row_step;  // floats from one window row to the next (dilation included)
  int64_t rows;        // window rows inside the map
  float* y;            // [out_width][channels]
  int64_t out_width, in_width, channels;
  int64_t kernel_w, stride, pad_begin, dilation;  // along the row
};

// The input of a channels-last 1x1 conv (pointwise_conv_nhwc.h): output pixels run over
// [images][out_height][out_width], and pixel (image, oy, ox) reads the row of in_channels floats
// at (image, oy * stride, ox * stride) of x, [images][in_height][in_width][in_channels]. With
// stride 1 the two maps are the same and pixel p reads row p.
struct PointwiseSource {
  const float* x = nullptr;
  int64_t in_channels = 0;
  int64_t stride = 1;
  int64_t out_height = 1, out_width = 1, in_height = 1, in_width = 1;

  const float* row(int64_t pixel) const {
    if (stride == 1) return x + pixel * in_channels;
    const int64_t ox = pixel % out_width, rows = pixel / out_width;
    const int64_t oy = rows % out_height, image = rows / out_height;
    return x + ((image * in_height + oy * stride) * in_width + ox * stride) * in_channels;
  }
};

// The tiles of a channels-last Winograd F(t x t, 3x3) conv, stride 1, t = `tile` (2 or 4;
// winograd_nhwc.h): X is [images][in_height][in_width][in_channels], Y [images][out_height]
// [out_width][out_channels], and tile k, over [images][tiles_down][tiles_across], covers output
// rows t * (k's row) + 0..t-1 and columns likewise (those inside the map), reading the
// (t + 2) x (t + 2) input patch from row t * (k's row) - pad_top and column t * (k's column) -
// pad_left.
struct WinogradTiles {
  int64_t images, in_height, in_width, in_channels;  // in_channels: a multiple of 16
  int64_t out_height, out_width, out_channels;
  int64_t pad_top, pad_left;
  int64_t tile;                      // 2 or 4
  int64_t tiles_down, tiles_across;  // ceil(out / tile)
};

struct SimdKernels {
  const char* isa;  // "avx512", "avx2", "portable": the suffix of kernel names in profiles
  UnaryFn unary[static_cast<int>(UnaryOp::kCount)];
  BinaryFn binary[static_cast<int>(BinaryOp::kCount)][static_cast<int>(BinaryMode::kCount)];
  // y = softmax(x) over one contiguous row.
  void (*softmax_row)(const float* x, float* y, int64_t n);
  // y = (x - mean) / sqrt(var + eps) * scale + bias over one row; bias may be null.
  // Returns the mean and 1/sqrt(var + eps) through the last two pointers.
  void (*layer_norm_row)(const float* x, const float* scale, const float* bias, float* y, int64_t n,
                         float epsilon, float* mean, float* inv_std);
  float (*sum_row)(const float* x, int64_t n);
  float (*max_row)(const float* x, int64_t n);
  // sums[c] = the sum over r < rows of x[r * row_stride + c], for c < width (a channels-last
  // global pool); in one fixed order, whatever the level.
  void (*column_sums)(const float* x, int64_t rows, int64_t row_stride, int64_t width, float* sums);
  // For each of `images` rows x[m] (k floats) and y[m] (n floats): y[m][j] = bias[j] + the sum
  // over i < k of x[m][i] * w[i * w_stride + j] (a 1x1 conv on a 1x1 map: squeeze-and-
  // excitation), in an order fixed by k and n alone; bias may be null. w's rows are padded
  // with zeros to a multiple of 16 floats (w_stride).
  void (*vector_matrix)(const float* x, int64_t images, const float* w, int64_t w_stride,
                        const float* bias, int64_t k, int64_t n, float* y);
  void (*conv_nhwc_row)(const ConvNhwcRow& row);
  // A channels-last 1x1 conv with bias, residual and Relu fused (pointwise_conv_nhwc.h), on
  // output channels [0, channels) of pixels [pixel_begin, pixel_end), rows row_stride floats
  // apart: packed_w [channels / block][in_channels][block], bias or null, z [pixels]
  // [row_stride] or null (may be y), z and y from pixel 0; channels a multiple of
  // `pointwise_block`.
  void (*pointwise_conv_nhwc)(const PointwiseSource& x, int64_t pixel_begin, int64_t pixel_end,
                              const float* packed_w, const float* bias, const float* z, float* y,
                              int64_t row_stride, int64_t channels, bool relu);
  int64_t pointwise_block;  // output channels per packed block of weights
  void (*max_pool_nhwc_row)(const MaxPoolNhwcRow& row);
  // Winograd transforms (winograd_nhwc.h), [0] F(2x2, 3x3) and [1] F(4x4, 3x3), a = 4 or 6:
  // tiles [tile_begin, tile_end) of X into v [a * a positions, pos_stride floats apart][tiles]
  // [in_channels], and m [a * a][tiles][channels] into output channels [channel_begin,
  // channel_begin + channels) of Y with bias, residual z and Relu; channels a multiple of 16.
  void (*winograd_input[2])(const WinogradTiles& g, const float* x, int64_t tile_begin,
                            int64_t tile_end, float* v, int64_t pos_stride);
  void (*winograd_output[2])(const WinogradTiles& g, const float* m, int64_t pos_stride,
                             int64_t tile_begin, int64_t tile_end, int64_t channel_begin,
                             int64_t channels, const float* bias, const float* z, float* y,
                             bool relu);
};

const SimdKernels& simd_kernels_avx512();
const SimdKernels& simd_kernels_avx2();
const SimdKernels& simd_kernels_portable();

// The table for the active level: the best the CPU has, unless a test forced another.
const SimdKernels& simd_kernels();
SimdLevel simd_level();
SimdLevel best_supported_simd_level();
// Test hook: makes simd_kernels() return this level's table (clamped to what the CPU has).
void force_simd_level_for_testing(SimdLevel level);

}  // namespace infera::simd
