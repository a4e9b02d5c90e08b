// Our channels-last 1x1 conv with the residual fused (simd/pointwise_conv_nhwc.h), which
// FusedConv uses for widening pointwise convs with a residual Z on AVX-512 CPUs: the micro-
// kernel at every SIMD level against double sums (tails of the 6-pixel tile and of the pixel
// block, bias and Z present or not, Z in place, a range of channel blocks), then the conv
// against FusedConv's reference kernel, and the determinism it promises: the same bits on one
// or two threads (which split pixels or channel blocks) and for an image alone or in a batch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ops/cpu/simd/dispatch.h"
#include "variant_harness.h"

namespace infera::testing {
namespace {

using simd::SimdLevel;

TEST(PointwiseConvNhwc, KernelMatchesDoubleSumsAtEverySimdLevel) {
  at_each_simd_level([&](const std::string& isa) {
    const int64_t block = simd::simd_kernels().pointwise_block;
    struct Map {
      int64_t images, in_height, in_width, stride, in_channels, blocks;
    };
    // One pixel; 13 (tile tails); 200 (pixel blocks); then strided maps, odd sizes and two
    // images, so tiles straddle output rows and images.
    for (const Map& s : {Map{1, 1, 1, 1, 3, 1}, Map{1, 1, 13, 1, 16, 2}, Map{1, 10, 20, 1, 37, 3},
                         Map{2, 7, 9, 2, 24, 2}, Map{1, 28, 27, 2, 32, 1}}) {
      const int64_t out_height = (s.in_height - 1) / s.stride + 1;
      const int64_t out_width = (s.in_width - 1) / s.stride + 1;
      const int64_t pixels = s.images * out_height * out_width, cout = s.blocks * block;
      const Tensor x = lcg_tensor({s.images, s.in_height, s.in_width, s.in_channels}, 1, 21);
      const Tensor w = lcg_tensor({cout, s.in_channels}, 2, 21);  // [cout][cin], as OIHW 1x1
      const Tensor bias = lcg_tensor({cout}, 3, 21), z = lcg_tensor({pixels, cout}, 4, 21);
      std::vector<float> packed(static_cast<size_t>(cout * s.in_channels));
      for (int64_t m0 = 0; m0 < cout; m0 += block)
        for (int64_t c = 0; c < s.in_channels; ++c)
          for (int64_t j = 0; j < block; ++j)
            packed[m0 * s.in_channels + c * block + j] =
                w.data<float>()[(m0 + j) * s.in_channels + c];
      simd::PointwiseSource source;
      source.x = x.data<float>();
      source.in_channels = s.in_channels;
      source.stride = s.stride;
      source.out_height = out_height;
      source.out_width = out_width;
      source.in_height = s.in_height;
      source.in_width = s.in_width;
      for (int variant = 0; variant < 4; ++variant) {
        const bool with_bias = variant != 1, with_z = variant != 2, in_place = variant == 3;
        const bool relu = variant % 2 == 0;
        std::vector<float> y(static_cast<size_t>(pixels * cout), 7.f);
        if (in_place) std::memcpy(y.data(), z.raw(), z.nbytes());
        const float* zp = with_z ? (in_place ? y.data() : z.data<float>()) : nullptr;
        const float* bp = with_bias ? bias.data<float>() : nullptr;
        // The last block alone over two ranges of pixels, then the rest: the ranges threads
        // take.
        const int64_t last = (s.blocks - 1) * block, half = pixels / 2;
        for (const auto& [p0, p1] : {std::pair{int64_t{0}, half}, std::pair{half, pixels}})
          simd::simd_kernels().pointwise_conv_nhwc(
              source, p0, p1, packed.data() + last * s.in_channels, bp ? bp + last : nullptr,
              zp ? zp + last : nullptr, y.data() + last, cout, block, relu);
        if (last > 0)
          simd::simd_kernels().pointwise_conv_nhwc(source, 0, pixels, packed.data(), bp, zp,
                                                   y.data(), cout, last, relu);
        for (int64_t p = 0; p < pixels; ++p) {
          const int64_t ox = p % out_width, oy = p / out_width % out_height;
          const int64_t image = p / (out_width * out_height);
          const float* x_row =
              x.data<float>() +
              ((image * s.in_height + oy * s.stride) * s.in_width + ox * s.stride) * s.in_channels;
          for (int64_t m = 0; m < cout; ++m) {
            double want = with_bias ? bias.data<float>()[m] : 0.0;
            for (int64_t c = 0; c < s.in_channels; ++c)
              want += double(x_row[c]) * w.data<float>()[m * s.in_channels + c];
            if (with_z) want += z.data<float>()[p * cout + m];
            if (relu) want = std::max(want, 0.0);
            ASSERT_NEAR(y[p * cout + m], want, 1e-5 * (1 + std::abs(want)))
                << isa << " " << pixels << "x" << s.in_channels << "x" << cout << " stride "
                << s.stride << " variant " << variant << " at " << p << "," << m;
          }
        }
      }
    }
  });
}

struct Case {
  Shape x;  // channels-last [N, H, W, Cin]
  Shape w;  // [Cout, Cin, 1, 1]
  bool bias;
  std::string activation;
  int64_t stride = 1;
  bool residual = true;
};

Node conv_node(const Case& c) {
  return make_node("FusedConv", 4, 1,
                   {int_attr("channels_last", 1), string_attr("activation", c.activation),
                    ints_attr("strides", {c.stride, c.stride})},
                   "com.infera");
}

std::vector<Tensor> conv_inputs(const Case& c, uint32_t seed) {
  const Shape y{c.x[0], (c.x[1] - 1) / c.stride + 1, (c.x[2] - 1) / c.stride + 1, c.w[0]};
  return {lcg_tensor(c.x, seed, 23), lcg_tensor(c.w, seed + 1, 23),
          c.bias ? lcg_tensor({c.w[0]}, seed + 2, 23) : Tensor(),
          c.residual ? lcg_tensor(y, seed + 3, 23) : Tensor()};
}

VariantResult run_fast(const Case& c, const std::vector<Tensor>& in, int threads,
                       bool in_place = false) {
  KernelConfig config;
  config.threads = threads;
  return run_variant(conv_node(c), 1, in, {false, true, false, false}, 1, config, true,
                     in_place);
}

const bool kHasAvx512 = simd::best_supported_simd_level() == SimdLevel::kAvx512;

TEST(PointwiseConvNhwc, WideningResidualOrStridedConvsMatchReference) {
  const Case cases[] = {
      // 63 pixels (tile tails), 4x wider, bias and Relu: a ResNet bottleneck's last conv.
      {{1, 7, 9, 16}, {64, 16, 1, 1}, true, "Relu"},
      // 800 pixels per image (pixel blocks, split among threads), two blocks, no bias.
      {{2, 20, 20, 32}, {128, 32, 1, 1}, false, ""},
      // Few pixels, four blocks: threads split the channels.
      {{1, 3, 5, 64}, {256, 64, 1, 1}, true, "Relu"},
      // Stride 2 and no residual (a ResNet downsample), odd map, two images.
      {{2, 13, 11, 32}, {64, 32, 1, 1}, true, "", 2, false},
      // Stride 2 with a residual, 196 pixels split among threads.
      {{1, 28, 28, 16}, {128, 16, 1, 1}, false, "Relu", 2, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("X " + shape_to_string(c.x) + " W " + shape_to_string(c.w));
    const std::vector<Tensor> in = conv_inputs(c, 5);
    const Tensor expected = run_kernel(conv_node(c), 1, in, 1)[0];
    const VariantResult r = run_fast(c, in, 2);
    if (kHasAvx512) {
      EXPECT_EQ(r.kernel_name, "conv_f32_pointwise_nhwc_avx512");
    }
    expect_close(expected, r.outputs[0], 1e-5f);
    if (c.residual)
      expect_close(expected, run_fast(c, in, 2, /*in_place=*/true).outputs[0], 1e-5f);
  }
}

TEST(PointwiseConvNhwc, NarrowingOrUnfusedConvsStayOnOneDnn) {
  // 2x narrower (a MobileNetV2 projection), and a Clip the kernel does not apply.
  for (const Case& c : {Case{{1, 6, 6, 128}, {64, 128, 1, 1}, true, ""},
                        Case{{1, 6, 6, 16}, {64, 16, 1, 1}, true, "Sigmoid"}}) {
    const std::vector<Tensor> in = conv_inputs(c, 6);
    const VariantResult r = run_fast(c, in, 2);
    EXPECT_EQ(r.kernel_name, "conv_f32_onednn");
    expect_close(run_kernel(conv_node(c), 1, in, 1)[0], r.outputs[0], 1e-4f);
  }
}

TEST(PointwiseConvNhwc, SameBitsForAnyThreadCountAndBatch) {
  // Our kernel's promise; elsewhere these convs are oneDNN's, which makes none for them.
  if (!kHasAvx512) GTEST_SKIP() << "the pointwise kernel runs on AVX-512 CPUs only";
  // 8 images of 12x12: the batch splits pixels, one image (144 pixels) splits channel blocks.
  const Case c{{8, 12, 12, 64}, {256, 64, 1, 1}, true, "Relu"};
  const std::vector<Tensor> in = conv_inputs(c, 9);
  const Tensor one_thread = run_fast(c, in, 1).outputs[0];
  const Tensor two_threads = run_fast(c, in, 2).outputs[0];
  EXPECT_EQ(0, std::memcmp(one_thread.raw(), two_threads.raw(), one_thread.nbytes()));

  Case single = c;
  single.x[0] = 1;
  const int64_t y_image = one_thread.numel() / 8;
  const Tensor alone =
      run_fast(single, {batch_item(in[0], 3), in[1], in[2], batch_item(in[3], 3)}, 2).outputs[0];
  ASSERT_EQ(alone.numel(), y_image);
  EXPECT_EQ(0, std::memcmp(alone.raw(), one_thread.data<float>() + 3 * y_image, alone.nbytes()));
}

}  // namespace
}  // namespace infera::testing
