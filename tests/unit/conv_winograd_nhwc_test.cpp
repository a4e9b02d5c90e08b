// Our channels-last Winograd F(2x2, 3x3) and F(4x4, 3x3) path (simd/winograd_nhwc.h,
// conv_onednn.cpp), which FusedConv uses for 3x3 stride-1 convs with 32+ input channels on
// AVX-512 CPUs: the weight transform against G g G^T in double; the input and output transforms at every SIMD
// level, around a product in double, against a direct conv in double; then the conv against
// FusedConv's reference kernel (padding on any side, maps with odd sizes, bias, residual in
// place or not, Relu, both ways of splitting the threads), and the determinism it promises:
// the same bits on one or two threads and for an image alone or in a batch.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "attribute_builders.h"
#include "ops/cpu/simd/dispatch.h"
#include "ops/cpu/winograd_weights.h"
#include "variant_harness.h"

namespace infera::testing {
namespace {

// G of F(2x2, 3x3) (interpolation at 0, 1, -1 and infinity) and of F(4x4, 3x3) (0, 1, -1, 2,
// -2 and infinity), from the literature's formulas, in double.
constexpr double kG2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
constexpr double kG4[6][3] = {{1.0 / 4, 0, 0},          {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                              {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                              {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};

TEST(WinogradNhwc, WeightsPackAsGgGtPerPositionInPointwiseBlocks) {
  const int cout = 128, cin = 48, block = 64;
  const Tensor w = lcg_tensor({cout, cin, 3, 3}, 1, 17);
  for (int tile : {2, 4})
    for (int threads : {1, 2}) {
      const int alpha = tile + 2;
      std::vector<float> packed(static_cast<size_t>(alpha * alpha * cout * cin), -1.f);
      onednn::pack_winograd_blocked(w.data<float>(), cout, cin, tile, block, packed.data(),
                                    threads);
      for (int o = 0; o < cout; ++o)
        for (int i = 0; i < cin; ++i) {
          const float* g = w.data<float>() + (o * cin + i) * 9;
          for (int a = 0; a < alpha; ++a)
            for (int b = 0; b < alpha; ++b) {
              const double* ga = tile == 2 ? kG2[a] : kG4[a];
              const double* gb = tile == 2 ? kG2[b] : kG4[b];
              double want = 0;
              for (int r = 0; r < 3; ++r)
                for (int c = 0; c < 3; ++c) want += ga[r] * g[r * 3 + c] * gb[c];
              const size_t at = ((static_cast<size_t>(a * alpha + b) * (cout / block) + o / block) *
                                     cin + i) * block + o % block;
              ASSERT_NEAR(packed[at], want, 1e-6 * (1 + std::abs(want)))
                  << "tile " << tile << " o " << o << " i " << i << " position " << a << "," << b;
            }
        }
    }
}

// The direct conv in double: x [n][h][w][cin], w OIHW, y [n][oh][ow][cout].
std::vector<double> direct_conv(const simd::WinogradTiles& g, const float* x, const float* w) {
  std::vector<double> y(static_cast<size_t>(g.images * g.out_height * g.out_width * g.out_channels));
  for (int64_t n = 0; n < g.images; ++n)
    for (int64_t oy = 0; oy < g.out_height; ++oy)
      for (int64_t ox = 0; ox < g.out_width; ++ox)
        for (int64_t m = 0; m < g.out_channels; ++m) {
          double sum = 0;
          for (int64_t r = 0; r < 3; ++r)
            for (int64_t s = 0; s < 3; ++s) {
              const int64_t iy = oy - g.pad_top + r, ix = ox - g.pad_left + s;
              if (iy < 0 || iy >= g.in_height || ix < 0 || ix >= g.in_width) continue;
              for (int64_t c = 0; c < g.in_channels; ++c)
                sum += double(x[((n * g.in_height + iy) * g.in_width + ix) * g.in_channels + c]) *
                       w[((m * g.in_channels + c) * 3 + r) * 3 + s];
            }
          y[((n * g.out_height + oy) * g.out_width + ox) * g.out_channels + m] = sum;
        }
  return y;
}

TEST(WinogradNhwc, TransformsAroundExactProductsGiveTheConvAtEverySimdLevel) {
  for (int64_t tile : {2, 4}) {
    // Padding on one side only and odd maps (tiles cut off at the bottom and right), two images.
    simd::WinogradTiles g{.images = 2,
                          .in_height = 10,
                          .in_width = 7,
                          .in_channels = 32,
                          .out_height = 9,
                          .out_width = 6,
                          .out_channels = 16,
                          .pad_top = 0,
                          .pad_left = 1,
                          .tile = tile,
                          .tiles_down = (9 + tile - 1) / tile,
                          .tiles_across = (6 + tile - 1) / tile};
    const int positions = static_cast<int>((tile + 2) * (tile + 2));
    const Tensor x = lcg_tensor({g.images, g.in_height, g.in_width, g.in_channels}, 2, 19);
    const Tensor w = lcg_tensor({g.out_channels, g.in_channels, 3, 3}, 3, 19);
    const Tensor bias = lcg_tensor({g.out_channels}, 4, 19);
    const std::vector<double> want = direct_conv(g, x.data<float>(), w.data<float>());
    std::vector<float> u(static_cast<size_t>(positions * g.out_channels * g.in_channels));
    onednn::pack_winograd_blocked(w.data<float>(), static_cast<int>(g.out_channels),
                                  static_cast<int>(g.in_channels), static_cast<int>(tile),
                                  static_cast<int>(g.out_channels), u.data(), 1);
    const int64_t tiles = g.images * g.tiles_down * g.tiles_across;
    at_each_simd_level([&](const std::string& isa) {
      const simd::SimdKernels& table = simd::simd_kernels();
      std::vector<float> v(static_cast<size_t>(positions * tiles * g.in_channels));
      std::vector<float> m(static_cast<size_t>(positions * tiles * g.out_channels));
      std::vector<float> y(want.size(), 7.f);
      // Two ranges of tiles, as two threads or chunks take them.
      const int64_t half = tiles / 2;
      for (const auto& [t0, t1] : {std::pair{int64_t{0}, half}, std::pair{half, tiles}})
        table.winograd_input[tile == 4](g, x.data<float>(), t0, t1,
                                        v.data() + t0 * g.in_channels, tiles * g.in_channels);
      for (int pos = 0; pos < positions; ++pos)
        for (int64_t t = 0; t < tiles; ++t)
          for (int64_t o = 0; o < g.out_channels; ++o) {
            double sum = 0;
            for (int64_t c = 0; c < g.in_channels; ++c)
              sum += double(v[(pos * tiles + t) * g.in_channels + c]) *
                     u[(pos * g.in_channels + c) * g.out_channels + o];
            m[(pos * tiles + t) * g.out_channels + o] = static_cast<float>(sum);
          }
      table.winograd_output[tile == 4](g, m.data(), tiles * g.out_channels, 0, tiles, 0,
                                       g.out_channels, bias.data<float>(), nullptr, y.data(),
                                       false);
      // The transforms' rounding error scales with the largest output, not with each one.
      double largest = 0;
      for (size_t i = 0; i < want.size(); ++i)
        largest = std::max(largest, std::abs(want[i] + bias.data<float>()[i % g.out_channels]));
      for (size_t i = 0; i < want.size(); ++i) {
        const double expected = want[i] + bias.data<float>()[i % g.out_channels];
        ASSERT_NEAR(y[i], expected, 1e-5 * largest)
            << isa << " tile " << tile << " at " << i << ", largest output " << largest;
      }
    });
  }
}

struct Case {
  Shape x;  // channels-last [N, H, W, Cin]
  int64_t cout;
  std::vector<int64_t> pads;  // top, left, bottom, right
  bool bias;
  bool residual;
  std::string activation;
};

Node conv_node(const Case& c) {
  return make_node("FusedConv", 4, 1,
                   {int_attr("channels_last", 1), string_attr("activation", c.activation),
                    ints_attr("pads", c.pads)},
                   "com.infera");
}

Shape out_shape(const Case& c) {
  return {c.x[0], c.x[1] + c.pads[0] + c.pads[2] - 2, c.x[2] + c.pads[1] + c.pads[3] - 2, c.cout};
}

std::vector<Tensor> conv_inputs(const Case& c, uint32_t seed) {
  return {lcg_tensor(c.x, seed, 29), lcg_tensor({c.cout, c.x[3], 3, 3}, seed + 1, 29),
          c.bias ? lcg_tensor({c.cout}, seed + 2, 29) : Tensor(),
          c.residual ? lcg_tensor(out_shape(c), seed + 3, 29) : Tensor()};
}

VariantResult run_fast(const Case& c, const std::vector<Tensor>& in, int threads,
                       bool prepare = true, bool in_place = false) {
  KernelConfig config;
  config.threads = threads;
  return run_variant(conv_node(c), 1, in, {false, true, false, false}, 1, config, prepare,
                     in_place);
}

// Winograd's rounding error scales with the largest output, not with each one.
void expect_close_to_largest(const Tensor& expected, const Tensor& got) {
  ASSERT_EQ(expected.shape(), got.shape());
  float largest = 0.f, worst = 0.f;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const float e = expected.data<float>()[i];
    largest = std::max(largest, std::fabs(e));
    worst = std::max(worst, std::fabs(e - got.data<float>()[i]));
  }
  EXPECT_LE(worst, 1e-5f * largest) << "largest output " << largest;
}

const bool kHasAvx512 = simd::best_supported_simd_level() == simd::SimdLevel::kAvx512;

TEST(WinogradNhwc, ConvsMatchReference) {
  const Case cases[] = {
      // SqueezeNet's 13x13 expand: three output blocks, threads split the tiles.
      {{1, 13, 13, 48}, 192, {1, 1, 1, 1}, true, false, "Relu"},
      // Four blocks and 49 tiles: threads share the tiles and split the channels.
      {{1, 13, 13, 64}, 256, {1, 1, 1, 1}, true, false, ""},
      // 2 images of 15x17, padding on two sides only: tiles cut off and chunks across images.
      {{2, 15, 17, 32}, 64, {0, 1, 2, 0}, false, true, "Relu"},
      // No padding; 7x7 outputs of 2 images, split by channels, with a residual.
      {{2, 9, 9, 32}, 128, {0, 0, 0, 0}, true, true, ""},
      // F(4x4): 28x28 (ResNet-50's), one output block, threads split the tiles.
      {{1, 28, 28, 64}, 64, {1, 1, 1, 1}, true, false, "Relu"},
      // F(4x4): 2 images of 21x22 outputs, tiles cut off, few enough to split the channels.
      {{2, 21, 23, 32}, 128, {0, 1, 2, 0}, false, true, "Relu"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("X " + shape_to_string(c.x) + " -> " + std::to_string(c.cout));
    const std::vector<Tensor> in = conv_inputs(c, 7);
    const Tensor expected = run_kernel(conv_node(c), 1, in, 1)[0];
    const VariantResult r = run_fast(c, in, 2);
    if (kHasAvx512) {
      const bool f4x4 = std::min(out_shape(c)[1], out_shape(c)[2]) >= 20;
      EXPECT_EQ(r.kernel_name, f4x4 ? "conv_f32_winograd_f4x3_nhwc_avx512"
                                    : "conv_f32_winograd_f2x3_nhwc_avx512");
    }
    expect_close_to_largest(expected, r.outputs[0]);
    expect_close_to_largest(expected, run_fast(c, in, 2, /*prepare=*/false).outputs[0]);
    if (c.residual)
      expect_close_to_largest(expected,
                              run_fast(c, in, 2, true, /*in_place=*/true).outputs[0]);
  }
}

TEST(WinogradNhwc, FewInputChannelsOrOtherActivationsStayOnOneDnn) {
  for (const Case& c : {Case{{1, 13, 13, 16}, 64, {1, 1, 1, 1}, true, false, "Relu"},
                        Case{{1, 13, 13, 32}, 64, {1, 1, 1, 1}, true, false, "Sigmoid"}}) {
    const std::vector<Tensor> in = conv_inputs(c, 8);
    const VariantResult r = run_fast(c, in, 2);
    EXPECT_EQ(r.kernel_name, "conv_f32_onednn");
    expect_close(run_kernel(conv_node(c), 1, in, 1)[0], r.outputs[0], 1e-4f);
  }
}

TEST(WinogradNhwc, SameBitsForAnyThreadCountAndBatch) {
  // Our path's promise; elsewhere these convs are oneDNN's.
  if (!kHasAvx512) GTEST_SKIP() << "the Winograd path runs on AVX-512 CPUs only";
  // F(2x2): 4 images of 14x14 (split by tiles), and one alone (49 tiles: split by channels).
  // F(4x4): 8 images of 20x20 (200 tiles, split by tiles), one alone (25: split by channels).
  for (const Case& c : {Case{{4, 14, 14, 32}, 128, {1, 1, 1, 1}, true, true, "Relu"},
                        Case{{8, 20, 20, 32}, 128, {1, 1, 1, 1}, true, true, "Relu"}}) {
    SCOPED_TRACE("X " + shape_to_string(c.x));
    const std::vector<Tensor> in = conv_inputs(c, 9);
    const Tensor one_thread = run_fast(c, in, 1).outputs[0];
    const Tensor two_threads = run_fast(c, in, 2).outputs[0];
    EXPECT_EQ(0, std::memcmp(one_thread.raw(), two_threads.raw(), one_thread.nbytes()));

    Case single = c;
    single.x[0] = 1;
    const int64_t y_image = one_thread.numel() / c.x[0];
    for (int threads : {1, 2}) {
      const Tensor alone =
          run_fast(single, {batch_item(in[0], 2), in[1], in[2], batch_item(in[3], 2)}, threads)
              .outputs[0];
      ASSERT_EQ(alone.numel(), y_image);
      EXPECT_EQ(0,
                std::memcmp(alone.raw(), one_thread.data<float>() + 2 * y_image, alone.nbytes()))
          << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace infera::testing
