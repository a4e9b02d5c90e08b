// The direct channels-last convolution for few input channels (conv_nhwc_small_cin_f32.cpp)
// against the plain reference kernel of FusedConv with channels_last = 1, at every SIMD level
// this CPU has: odd widths, padding, strides, dilation, Cin 1 to 16, with and without bias,
// residual Z and activations. Then the determinism it promises: the same bits with one or two
// threads, and for an image alone or inside a batch.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "ops/cpu/simd/dispatch.h"
#include "variant_harness.h"

namespace infera::testing {
namespace {

using simd::SimdLevel;

struct Case {
  Shape x;  // channels-last [N, H, W, Cin]
  Shape w;  // [Cout, Cin, kh, kw]
  std::vector<Attribute> attrs;
  bool bias, residual;
  std::string activation;
  std::vector<float> params;
};

Attribute activation_params(std::vector<float> v) {
  Attribute a;
  a.name = "activation_params";
  a.type = Attribute::Type::kFloats;
  a.floats = std::move(v);
  return a;
}

const Case kCases[] = {
    // The Fashion-MNIST CNN's first layer, on a small batch.
    {{3, 28, 28, 1}, {16, 1, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}, true, false, "Relu", {}},
    // Odd output height and width (the pool drops the last row and column), Cin 3.
    {{2, 9, 13, 3}, {32, 3, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}, true, false, "Tanh", {}},
    // Odd width (tails of every block size), uneven padding, no bias, residual.
    {{2, 9, 37, 1}, {32, 1, 3, 3}, {ints_attr("pads", {1, 0, 2, 1})}, false, true, "", {}},
    // Stride 2 with a 7x7 kernel (ResNet's stem), Clip.
    {{1, 23, 19, 3},
     {64, 3, 7, 7},
     {ints_attr("strides", {2, 2}), ints_attr("pads", {3, 3, 3, 3})},
     true,
     false,
     "Clip",
     {-0.5f, 0.75f}},
    // Dilation, different strides per axis, residual and HardSwish.
    {{2, 11, 13, 1},
     {48, 1, 3, 2},
     {ints_attr("strides", {1, 2}), ints_attr("dilations", {2, 3}),
      ints_attr("pads", {2, 3, 1, 2})},
     true,
     true,
     "HardSwish",
     {}},
    // A row narrower than the kernel's reach: every pixel touches the padding.
    {{1, 5, 2, 1},
     {16, 1, 5, 5},
     {ints_attr("pads", {2, 2, 2, 2})},
     true,
     false,
     "LeakyRelu",
     {0.1f}},
    // One input channel, 3 wide, unit stride along the row: pooled, both conv rows of a pair
    // in one block (conv_nhwc_pool_pair.h). Odd width (35, a dropped last column), two vectors
    // of output channels, Clip.
    {{2, 9, 37, 1},
     {32, 1, 3, 3},
     {ints_attr("pads", {1, 0, 2, 0})},
     true,
     false,
     "Clip",
     {-0.25f, 0.5f}},
    // A 5-tall kernel, no bias, odd width 17 and height 12.
    {{1, 12, 17, 1}, {16, 1, 5, 3}, {ints_attr("pads", {2, 1, 2, 1})}, false, false, "", {}},
    // Stride 2 and dilation 2 down the columns only: the pair's second window is still one
    // window row further. Odd width 13 (blocks of every even size on AVX-512).
    {{1, 15, 13, 1},
     {16, 1, 3, 3},
     {ints_attr("strides", {2, 1}), ints_attr("dilations", {2, 1}),
      ints_attr("pads", {2, 1, 2, 1})},
     true,
     false,
     "Relu",
     {}},
    // Deeper: 16 channels in (the Fashion-MNIST CNN's second conv), and an odd 7.
    {{2, 14, 14, 16}, {32, 16, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}, true, false, "Relu", {}},
    {{1, 10, 9, 7}, {16, 7, 3, 3}, {ints_attr("pads", {0, 1, 0, 1})}, false, false, "", {}},
    // SAME_UPPER, stride 2, Sigmoid.
    {{1, 8, 15, 3},
     {16, 3, 3, 3},
     {string_attr("auto_pad", "SAME_UPPER"), ints_attr("strides", {2, 2})},
     true,
     false,
     "Sigmoid",
     {}},
};

Node conv_node(const Case& c, const std::string& op = "FusedConv") {
  std::vector<Attribute> attrs = c.attrs;
  attrs.push_back(int_attr("channels_last", 1));
  attrs.push_back(string_attr("activation", c.activation));
  if (!c.params.empty()) attrs.push_back(activation_params(c.params));
  return make_node(op, c.residual ? 4 : 3, 1, attrs, "com.infera");
}

// X, W, B (or absent), Z (or absent), Z shaped like the reference's output.
std::vector<Tensor> conv_inputs(const Case& c, uint32_t seed) {
  std::vector<Tensor> in{lcg_tensor(c.x, seed, 11), lcg_tensor(c.w, seed + 1, 11),
                         c.bias ? lcg_tensor({c.w[0]}, seed + 2, 11) : Tensor()};
  if (c.residual) {
    Case plain = c;
    plain.residual = false;
    in.push_back(lcg_tensor(run_kernel(conv_node(plain), 1, in, 1)[0].shape(), seed + 3, 11));
  }
  return in;
}

// With `in_place`, Y gets Z's buffer where the kernel offers it, as the planner arranges it.
VariantResult run_fast(const Case& c, const std::vector<Tensor>& in, int threads, bool planned,
                       const std::string& op = "FusedConv", bool in_place = false) {
  KernelConfig config;
  config.threads = threads;
  return run_variant(conv_node(c, op), 1, in, {false, true, false, false}, 1, config, planned,
                     in_place);
}

void expect_same_bits(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  EXPECT_EQ(0, std::memcmp(a.raw(), b.raw(), a.nbytes()));
}

Node max_pool_2x2() {
  return make_node("NhwcMaxPool", 1, 1,
                   {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})}, "com.infera");
}

TEST(ConvNhwcSmallCin, MatchesReferenceAtEverySimdLevel) {
  at_each_simd_level([&](const std::string& isa) {
    for (const Case& c : kCases) {
      if (c.x[3] != 1) continue;  // a plain conv with more input channels is oneDNN's
      SCOPED_TRACE(isa + " X " + shape_to_string(c.x) + " W " + shape_to_string(c.w) + " " +
                   c.activation);
      const std::vector<Tensor> in = conv_inputs(c, 5);
      const Tensor expected = run_kernel(conv_node(c), 1, in, 1)[0];
      for (bool planned : {true, false}) {
        const VariantResult r = run_fast(c, in, 2, planned);
        EXPECT_EQ(r.kernel_name, "conv_nhwc_small_cin_f32_" + isa);
        expect_close(expected, r.outputs[0], 1e-5f);
      }
      if (c.residual)  // Y written over Z's buffer
        expect_close(expected, run_fast(c, in, 2, true, "FusedConv", true).outputs[0], 1e-5f);
    }
  });
}

TEST(ConvNhwcSmallCin, SameBitsForAnyThreadCountAndBatch) {
  // 8 images of 40x40 into 64 channels: enough work (7.4M multiply-adds) for two threads.
  const Case c{
      {8, 40, 40, 1}, {64, 1, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}, true, true, "Relu", {}};
  const std::vector<Tensor> in = conv_inputs(c, 9);
  const Tensor one_thread = run_fast(c, in, 1, true).outputs[0];
  expect_same_bits(one_thread, run_fast(c, in, 2, true).outputs[0]);

  // Image 2 alone gives the bits it got inside the batch.
  Case single = c;
  single.x[0] = 1;
  const int64_t y_image = one_thread.numel() / 8;
  const Tensor alone =
      run_fast(single, {batch_item(in[0], 2), in[1], in[2], batch_item(in[3], 2)}, 2, true)
          .outputs[0];
  ASSERT_EQ(alone.numel(), y_image);
  EXPECT_EQ(0, std::memcmp(alone.raw(), one_thread.data<float>() + 2 * y_image, alone.nbytes()));
}

// FusedConvMaxPool: the fast kernel against its reference (conv, then the pool), which must
// itself be NhwcMaxPool of FusedConv as their own reference kernels compute them.
TEST(ConvNhwcSmallCin, FusedMaxPoolMatchesConvThenPool) {
  const Node pool = max_pool_2x2();
  at_each_simd_level([&](const std::string& isa) {
    for (const Case& c : kCases) {
      if (c.residual) continue;  // the fused op has no Z
      SCOPED_TRACE(isa + " X " + shape_to_string(c.x) + " W " + shape_to_string(c.w));
      const std::vector<Tensor> in = conv_inputs(c, 6);
      const Tensor conv = run_kernel(conv_node(c), 1, in, 1)[0];
      const Tensor expected = run_kernel(pool, 1, {conv}, 1)[0];
      expect_close(expected, run_kernel(conv_node(c, "FusedConvMaxPool"), 1, in, 1)[0], 0.f);
      for (bool planned : {true, false}) {
        const VariantResult r = run_fast(c, in, 2, planned, "FusedConvMaxPool");
        EXPECT_EQ(r.kernel_name, "conv_nhwc_small_cin_f32_" + isa);
        expect_close(expected, r.outputs[0], 1e-5f);
      }
    }
  });
  // 4 images, 16 -> 32 channels at 14x14: 3.6M multiply-adds, two threads.
  const Case big{
      {4, 14, 14, 16}, {32, 16, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}, true, false, "Relu", {}};
  const std::vector<Tensor> in = conv_inputs(big, 7);
  expect_same_bits(run_fast(big, in, 1, true, "FusedConvMaxPool").outputs[0],
                   run_fast(big, in, 2, true, "FusedConvMaxPool").outputs[0]);
}

// The pooled kernel sums each conv output in the plain kernel's order, in blocks of both rows
// of a pair (one input channel) or row by row: the max pool of the fast plain conv's output
// must be its bits exactly. Only activations applied in registers: the others run after the
// max, where vector approximations need not commute with it to the last bit.
TEST(ConvNhwcSmallCin, FusedMaxPoolHasThePlainConvsBits) {
  const Node pool = max_pool_2x2();
  at_each_simd_level([&](const std::string& isa) {
    int tested = 0;
    for (const Case& c : kCases) {
      const bool in_registers =
          c.activation.empty() || c.activation == "Relu" || c.activation == "Clip";
      if (c.residual || c.x[3] != 1 || !in_registers) continue;
      SCOPED_TRACE(isa + " X " + shape_to_string(c.x) + " W " + shape_to_string(c.w));
      const std::vector<Tensor> in = conv_inputs(c, 8);
      const Tensor conv = run_fast(c, in, 1, true).outputs[0];
      const VariantResult pooled = run_fast(c, in, 2, true, "FusedConvMaxPool");
      ASSERT_EQ(pooled.kernel_name, "conv_nhwc_small_cin_f32_" + isa);
      expect_same_bits(run_kernel(pool, 1, {conv}, 1)[0], pooled.outputs[0]);
      ++tested;
    }
    EXPECT_GE(tested, 4);
  });
}

TEST(ConvNhwcSmallCin, LeavesOtherCasesAlone) {
  // A plain conv of 3 input channels, and one of 24 output channels: oneDNN's. Pooled, 17 input
  // channels: the reference (conv_max_pool_fusion does not make such a node).
  const Case rgb{{1, 6, 6, 3}, {16, 3, 3, 3}, {}, true, false, "", {}};
  EXPECT_EQ(run_fast(rgb, conv_inputs(rgb, 3), 1, true).kernel_name, "conv_f32_onednn");
  const Case wide{{1, 6, 6, 17}, {16, 17, 3, 3}, {}, true, false, "", {}};
  EXPECT_EQ(run_fast(wide, conv_inputs(wide, 3), 1, true, "FusedConvMaxPool").kernel_name,
            "reference");
  const Case odd_out{{1, 6, 6, 3}, {24, 3, 3, 3}, {}, true, false, "", {}};
  EXPECT_EQ(run_fast(odd_out, conv_inputs(odd_out, 3), 1, true).kernel_name, "conv_f32_onednn");
  // In bf16 sessions, more than 4 input channels go to oneDNN's bfloat16 kernels.
  const Case deep{{1, 6, 6, 8}, {16, 8, 3, 3}, {}, true, false, "", {}};
  KernelConfig bf16;
  bf16.bf16 = true;
  const std::string name =
      run_variant(conv_node(deep), 1, conv_inputs(deep, 3), {false, true, false}, 1, bf16)
          .kernel_name;
  EXPECT_TRUE(name == "conv_bf16_onednn" || name == "conv_f32_onednn") << name;
  // HardSwish is not monotonic: max then HardSwish is not HardSwish then max.
  const Case dip{{1, 6, 6, 1}, {16, 1, 3, 3}, {}, true, false, "HardSwish", {}};
  EXPECT_EQ(run_fast(dip, conv_inputs(dip, 3), 1, true, "FusedConvMaxPool").kernel_name,
            "reference");
}

}  // namespace
}  // namespace infera::testing
