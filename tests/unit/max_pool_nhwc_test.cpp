// Our channels-last max pool (cpu/max_pool_nhwc_f32.cpp, simd/max_pool_nhwc_row.h) against the
// reference NhwcMaxPool, bit for bit: padding, ceil_mode, dilation, channel counts that leave
// 4-vector blocks, single vectors and scalar tails at every SIMD level, NaN and signed zeros
// where the reference's `v > best` decides, one or two threads, planned or not.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "variant_harness.h"

namespace infera::testing {
namespace {

struct PoolCase {
  Shape x;  // [N, H, W, C]
  std::vector<Attribute> attrs;
};

Node pool_node(const PoolCase& c) {
  return make_node("NhwcMaxPool", 1, 1, c.attrs, "com.infera");
}

// Random values with NaN and both zeros planted: first in a window (the reference keeps a NaN
// it starts with), inside windows (it skips them), and -0 beside +0 (the first one wins).
Tensor pool_input(const Shape& shape, uint32_t seed) {
  Tensor x = lcg_tensor(shape, seed, 31);
  float* v = x.data<float>();
  const int64_t n = x.numel();
  v[0] = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 7; i < n; i += 29) v[i] = std::numeric_limits<float>::quiet_NaN();
  for (int64_t i = 3; i < n; i += 11) v[i] = (i / 11) % 2 ? -0.0f : 0.0f;
  for (int64_t i = 5; i < n; i += 13) v[i] = -2.0f;  // below every random value: zeros win
  return x;
}

void expect_same_bits(const Tensor& expected, const Tensor& actual) {
  ASSERT_EQ(expected.shape(), actual.shape());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    uint32_t e, a;
    std::memcpy(&e, expected.data<float>() + i, 4);
    std::memcpy(&a, actual.data<float>() + i, 4);
    ASSERT_EQ(e, a) << "at element " << i << ": " << expected.data<float>()[i] << " vs "
                    << actual.data<float>()[i];
  }
}

const PoolCase kCases[] = {
    // ResNet's stem pool: 3x3, stride 2, padding 1; 37 channels: vectors and a scalar tail.
    {{1, 11, 9, 37},
     {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}),
      ints_attr("pads", {1, 1, 1, 1})}},
    // SqueezeNet's: 3x3 stride 2, no padding; 128 channels in whole 4-vector blocks.
    {{1, 13, 13, 128}, {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2})}},
    // ceil_mode windows running past the map, a 3x2 window, two images, 70 channels.
    {{2, 10, 7, 70},
     {ints_attr("kernel_shape", {3, 2}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}},
    // Dilation on both axes, asymmetric padding.
    {{1, 12, 12, 16},
     {ints_attr("kernel_shape", {2, 2}), ints_attr("dilations", {2, 2}),
      ints_attr("pads", {0, 1, 2, 0})}},
};

TEST(MaxPoolNhwc, SameBitsAsReferenceAtEverySimdLevel) {
  at_each_simd_level([&](const std::string& isa) {
    for (const PoolCase& c : kCases) {
      SCOPED_TRACE(isa + " X " + shape_to_string(c.x));
      const std::vector<Tensor> in{pool_input(c.x, 3)};
      const Tensor expected = run_kernel(pool_node(c), 1, in, 1)[0];
      for (int threads : {1, 2}) {
        KernelConfig config;
        config.threads = threads;
        const VariantResult r = run_variant(pool_node(c), 1, in, {}, 1, config);
        EXPECT_EQ(r.kernel_name, "max_pool_nhwc_f32_" + isa);
        expect_same_bits(expected, r.outputs[0]);
        // Unplanned (a dynamic or folded node): the geometry is resolved in run().
        expect_same_bits(expected, run_variant(pool_node(c), 1, in, {}, 1, config,
                                               /*prepare=*/false)
                                       .outputs[0]);
      }
    }
  });
}

TEST(MaxPoolNhwc, OneDimensionalPoolsGoToTheReference) {
  const PoolCase c{{2, 17, 5}, {ints_attr("kernel_shape", {4}), ints_attr("strides", {3})}};
  const std::vector<Tensor> in{pool_input(c.x, 4)};
  expect_same_bits(run_kernel(pool_node(c), 1, in, 1)[0],
                   run_variant(pool_node(c), 1, in, {}, 1).outputs[0]);
}

TEST(MaxPoolNhwc, Bf16ModeKeepsOneDnnsPool) {
  // bf16 mode may hand the pool bfloat16 tensors, which oneDNN's kernel pools as they are.
  KernelConfig config;
  config.bf16 = true;
  const std::vector<Tensor> in{pool_input(kCases[0].x, 5)};
  const VariantResult r = run_variant(pool_node(kCases[0]), 1, in, {}, 1, config);
  EXPECT_EQ(r.kernel_name, "max_pool_nhwc_f32_onednn");
}

}  // namespace
}  // namespace infera::testing
