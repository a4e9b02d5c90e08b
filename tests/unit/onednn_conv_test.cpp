// oneDNN Conv / FusedConv variants against the reference Conv kernel on odd shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <optional>
#include <string>

#include "ops/cpu/winograd_weights.h"
#include "variant_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  return lcg_tensor(std::move(shape), seed, 1);
}

struct ConvCase {
  Shape x, w;
  std::vector<Attribute> attrs;
  bool bias = true;
};

// The reference Conv, then Z and the activation applied by hand.
Tensor reference_fused(const ConvCase& c, const std::vector<Tensor>& in, bool with_z,
                       float (*activation)(float)) {
  Node conv = make_node("Conv", c.bias ? 3 : 2, 1, c.attrs);
  std::vector<Tensor> conv_in(in.begin(), in.begin() + (c.bias ? 3 : 2));
  Tensor y = run_kernel(conv, 17, conv_in, 1)[0];
  for (int64_t i = 0; i < y.numel(); ++i) {
    float v = y.data<float>()[i] + (with_z ? in[3].data<float>()[i] : 0.f);
    y.data<float>()[i] = activation ? activation(v) : v;
  }
  return y;
}

std::vector<Tensor> conv_inputs(const ConvCase& c, const Shape& y_shape, bool with_z) {
  std::vector<Tensor> in{random_tensor(c.x, 1), random_tensor(c.w, 2)};
  in.push_back(c.bias ? random_tensor({c.w[0]}, 3) : Tensor());
  if (with_z) in.push_back(random_tensor(y_shape, 4));
  return in;
}

Shape reference_shape(const ConvCase& c) {
  std::vector<Tensor> in = conv_inputs(c, {}, false);
  if (!c.bias) in.pop_back();
  return run_kernel(make_node("Conv", c.bias ? 3 : 2, 1, c.attrs), 17, in, 1)[0].shape();
}

void check_conv(const ConvCase& c, bool planned) {
  std::vector<Tensor> in = conv_inputs(c, {}, false);
  if (!c.bias) in.pop_back();
  const Tensor expected = reference_fused(c, in, false, nullptr);
  Node node = make_node("Conv", c.bias ? 3 : 2, 1, c.attrs);
  VariantResult r = run_variant(node, 17, in, {false, true, false}, 1, {}, planned);
  EXPECT_EQ(r.kernel_name, "conv_f32_onednn");
  expect_close(expected, r.outputs[0], 1e-4f);
}

const ConvCase kCases[] = {
    {{2, 3, 7, 9},
     {5, 3, 3, 2},
     {ints_attr("strides", {2, 1}), ints_attr("pads", {1, 0, 1, 1}),
      ints_attr("dilations", {1, 2})}},
    {{1, 6, 5, 5}, {9, 2, 3, 3}, {int_attr("group", 3), ints_attr("pads", {1, 1, 1, 1})}, false},
    {{1, 8, 11, 6},
     {8, 1, 3, 3},
     {int_attr("group", 8), ints_attr("strides", {2, 2}), ints_attr("pads", {1, 1, 1, 1})}},
    {{3, 4, 13}, {7, 4, 4}, {ints_attr("strides", {3}), ints_attr("pads", {2, 1})}},
    {{1, 5, 6, 7},
     {3, 5, 2, 3},
     {string_attr("auto_pad", "SAME_UPPER"), ints_attr("strides", {2, 2})}},
    {{1, 32, 9, 9}, {48, 32, 1, 1}, {}},
    {{1, 3, 4, 5, 6}, {4, 3, 2, 2, 3}, {ints_attr("pads", {0, 1, 1, 1, 0, 1})}},
};

TEST(OneDnnConv, MatchesReferenceOnOddShapes) {
  for (const ConvCase& c : kCases) check_conv(c, true);
}

TEST(OneDnnConv, MatchesReferenceUnplanned) {
  for (const ConvCase& c : kCases) check_conv(c, false);
}

TEST(OneDnnConv, NonConstantWeightsUseReference) {
  const ConvCase& c = kCases[0];
  std::vector<Tensor> in = conv_inputs(c, {}, false);
  VariantResult r = run_variant(make_node("Conv", 3, 1, c.attrs), 17, in, {}, 1);
  EXPECT_EQ(r.kernel_name, "reference");
}

float relu(float v) {
  return std::max(v, 0.f);
}
float clip(float v) {
  return std::min(std::max(v, -0.5f), 0.25f);
}
float leaky(float v) {
  return v < 0 ? 0.1f * v : v;
}
float hard_sigmoid(float v) {
  return std::min(std::max(0.3f * v + 0.4f, 0.f), 1.f);
}
float hard_swish(float v) {
  return v * std::min(std::max(v / 6.f + 0.5f, 0.f), 1.f);
}
float silu(float v) {
  return v / (1.f + std::exp(-v));
}
float sigmoid(float v) {
  return 1.f / (1.f + std::exp(-v));
}
float tanh_f(float v) {
  return std::tanh(v);
}

struct ActivationCase {
  const char* name;
  std::vector<float> params;
  float (*fn)(float);
};

TEST(OneDnnConv, FusedConvActivationsAndResidual) {
  const ActivationCase acts[] = {{"", {}, nullptr},
                                 {"Relu", {}, relu},
                                 {"Clip", {-0.5f, 0.25f}, clip},
                                 {"LeakyRelu", {0.1f}, leaky},
                                 {"HardSigmoid", {0.3f, 0.4f}, hard_sigmoid},
                                 {"HardSwish", {}, hard_swish},
                                 {"SiLU", {}, silu},
                                 {"Sigmoid", {}, sigmoid},
                                 {"Tanh", {}, tanh_f}};
  for (const ConvCase& c : {kCases[0], kCases[2], kCases[5]}) {
    const Shape y = reference_shape(c);
    for (const ActivationCase& a : acts) {
      for (bool with_z : {false, true}) {
        std::vector<Tensor> in = conv_inputs(c, y, with_z);
        std::vector<Attribute> attrs = c.attrs;
        attrs.push_back(string_attr("activation", a.name));
        Attribute params;
        params.name = "activation_params";
        params.type = Attribute::Type::kFloats;
        params.floats = a.params;
        attrs.push_back(params);
        Node node = make_node("FusedConv", with_z ? 4 : 3, 1, attrs, "com.infera");
        VariantResult r = run_variant(node, 1, in, {false, true, false, false}, 1);
        SCOPED_TRACE(std::string(a.name) + (with_z ? " with Z" : ""));
        expect_close(reference_fused(c, in, with_z, a.fn), r.outputs[0], 1e-4f);
      }
    }
  }
}

// A 1x1 conv on a 1x1 map (squeeze-and-excitation) is a vector-matrix product of our own: long
// and short input sums, output counts with and without a partial vector, each activation it
// takes, batches of more than one image.
TEST(OneDnnConv, SqueezeExciteConvsAreVectorMatrixProducts) {
  const ConvCase cases[] = {{{2, 200, 1, 1}, {20, 200, 1, 1}, {}},
                            {{1, 48, 1, 1}, {130, 48, 1, 1}, {}},
                            {{3, 7, 1, 1}, {64, 7, 1, 1}, {}, false}};
  const ActivationCase acts[] = {
      {"", {}, nullptr}, {"SiLU", {}, silu}, {"Sigmoid", {}, sigmoid}, {"Relu", {}, relu}};
  for (const ConvCase& c : cases) {
    const Shape y = reference_shape(c);
    for (const ActivationCase& a : acts) {
      std::vector<Tensor> in = conv_inputs(c, y, false);
      if (!c.bias) in.pop_back();
      std::vector<Attribute> attrs = c.attrs;
      attrs.push_back(string_attr("activation", a.name));
      const Node node = make_node("FusedConv", c.bias ? 3 : 2, 1, attrs, "com.infera");
      const VariantResult r = run_variant(node, 1, in, {false, true, false}, 1);
      SCOPED_TRACE(shape_to_string(c.w) + " " + a.name);
      EXPECT_EQ(r.kernel_name, "conv_f32_vector_matrix");
      if (!c.bias) in.push_back(Tensor());
      expect_close(reference_fused(c, in, false, a.fn), r.outputs[0], 1e-5f);
    }
  }
}

// The residual Z may share Y's buffer (the planner does that when Z is read last by the conv):
// summing in place must give the same numbers, for the oneDNN conv and the deterministic sgemm.
TEST(OneDnnConv, ResidualSummedInZsBuffer) {
  for (bool deterministic : {false, true}) {
    KernelConfig config;
    config.deterministic = deterministic;
    for (const ConvCase& c : {kCases[0], kCases[2], kCases[5]}) {
      const Shape y = reference_shape(c);
      std::vector<Tensor> in = conv_inputs(c, y, true);
      const Tensor z_before = in[3].clone();
      std::vector<Attribute> attrs = c.attrs;
      attrs.push_back(string_attr("activation", "Relu"));
      Node node = make_node("FusedConv", 4, 1, attrs, "com.infera");
      VariantResult r = run_variant(node, 1, in, {false, true, false, false}, 1, config,
                                    /*prepare=*/true, /*take_offers=*/true);
      in[3] = z_before;
      expect_close(reference_fused(c, in, true, relu), r.outputs[0], 1e-4f);
    }
  }
}

// KernelConfig::deterministic computes pointwise convs in fixed sgemm tiles (64 x 512 here): shapes
// with partial tiles on both edges, 1-D and 3-D, with bias, residual and activation, must match
// the reference and give the same bits on 1 and 3 threads.
TEST(OneDnnConv, DeterministicPointwiseMatchesReferenceOnAnyThreadCount) {
  const ConvCase cases[] = {{{2, 37, 23, 29}, {70, 37, 1, 1}, {}},
                            {{2, 5, 130}, {3, 5, 1}, {}, false},
                            {{1, 9, 3, 5, 20}, {130, 9, 1, 1, 1}, {}}};
  for (const ConvCase& c : cases) {
    for (bool fused : {false, true}) {
      if (fused && !c.bias) continue;  // FusedConv's Z is input 3, after the bias
      const Shape y = reference_shape(c);
      std::vector<Tensor> in = conv_inputs(c, y, fused);
      if (!c.bias) in.erase(in.begin() + 2);
      std::vector<Attribute> attrs = c.attrs;
      if (fused) attrs.push_back(string_attr("activation", "Relu"));
      const Node node = fused ? make_node("FusedConv", 4, 1, attrs, "com.infera")
                              : make_node("Conv", c.bias ? 3 : 2, 1, attrs);
      KernelConfig config;
      config.deterministic = true;
      config.threads = 1;
      const std::vector<bool> constant{false, true, false, false};
      const VariantResult one = run_variant(node, fused ? 1 : 17, in, constant, 1, config);
      config.threads = 3;
      const VariantResult three = run_variant(node, fused ? 1 : 17, in, constant, 1, config);
      SCOPED_TRACE(shape_to_string(c.x) + (fused ? " fused" : ""));
      EXPECT_EQ(one.kernel_name, "conv_f32_onednn");
      expect_close(reference_fused(c, in, fused, fused ? relu : nullptr), one.outputs[0], 1e-4f);
      ASSERT_EQ(one.outputs[0].nbytes(), three.outputs[0].nbytes());
      EXPECT_EQ(std::memcmp(one.outputs[0].raw(), three.outputs[0].raw(), one.outputs[0].nbytes()),
                0);
    }
  }
}

// 3x3 stride-1 convs with 16k channels (64 or more in) compute with Winograd where oneDNN has
// it (AVX-512):
// F(4x4, 3x3) from 20x20 outputs, F(2x2, 3x3) from 14x14 in deterministic mode only. Each must
// match the reference, with the residual sum and activation fused, and in deterministic mode give
// each image the bits it gets alone and the same bits on 1 and 3 threads (it runs image by image).
TEST(OneDnnConv, WinogradMatchesReferenceAndKeepsEachImagesBits) {
  const ConvCase cases[] = {
      {{3, 160, 20, 21}, {96, 160, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}},  // F(4x4, 3x3)
      {{3, 64, 16, 15}, {32, 64, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}},    // F(2x2, 3x3)
      // SqueezeNet's 27x27 expand: 32 input channels, F(2x2, 3x3) in deterministic mode only.
      {{2, 32, 27, 27}, {64, 32, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}},
  };
  for (const ConvCase& c : cases) {
    // Without deterministic mode a batch this small takes F(4x4), or nothing.
    const bool direct_when_fastest = c.x[3] < 20 || c.x[1] < 64;
    const Shape y = reference_shape(c);
    const std::vector<Tensor> in = conv_inputs(c, y, true);
    std::vector<Attribute> attrs = c.attrs;
    attrs.push_back(string_attr("activation", "Relu"));
    const Node node = make_node("FusedConv", 4, 1, attrs, "com.infera");
    const std::vector<bool> constant{false, true, false, false};
    const Tensor expected = reference_fused(c, in, true, relu);
    for (bool deterministic : {false, true}) {
      KernelConfig config;
      config.deterministic = deterministic;
      config.threads = 3;
      const VariantResult batch = run_variant(node, 1, in, constant, 1, config);
      SCOPED_TRACE(shape_to_string(c.x) + (deterministic ? " deterministic" : " fastest"));
      if (direct_when_fastest && !deterministic) {
        EXPECT_EQ(batch.kernel_name, "conv_f32_onednn");
      } else if (simd::best_supported_simd_level() == simd::SimdLevel::kAvx512) {
        // oneDNN 2.6's Winograd kernels need AVX-512: here a wrong rule fails, not skips.
        EXPECT_EQ(batch.kernel_name, "conv_f32_winograd_onednn");
      } else if (batch.kernel_name != "conv_f32_winograd_onednn") {
        GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU: " << batch.kernel_name;
      }
      // Winograd's rounding error scales with the largest output, not with each one.
      float largest = 0.f, worst = 0.f;
      for (int64_t i = 0; i < expected.numel(); ++i) {
        const float e = expected.data<float>()[i];
        largest = std::max(largest, std::fabs(e));
        worst = std::max(worst, std::fabs(e - batch.outputs[0].data<float>()[i]));
      }
      EXPECT_LE(worst, 1e-5f * largest) << "largest output " << largest;
      if (!deterministic) continue;
      config.threads = 1;
      const Tensor one_thread = run_variant(node, 1, in, constant, 1, config).outputs[0];
      EXPECT_EQ(std::memcmp(one_thread.raw(), batch.outputs[0].raw(), one_thread.nbytes()), 0);
      // Image 1 alone, with its own slice of Z.
      std::vector<Tensor> alone = in;
      for (int i : {0, 3}) alone[i] = batch_item(in[i], 1);
      const Tensor single = run_variant(node, 1, alone, constant, 1, config).outputs[0];
      EXPECT_EQ(std::memcmp(single.raw(), batch.outputs[0].data<float>() + single.numel(),
                            single.nbytes()),
                0);
    }
  }
}

// Our Winograd weight packing (ops/cpu/winograd_weights.h) writes what oneDNN's own reorder
// writes into the layouts its Winograd kernels read, up to float rounding.
TEST(OneDnnConv, WinogradWeightsPackLikeOneDnnsReorder) {
  using memory = dnnl::memory;
  struct Case {
    const char* kernel;
    int64_t batch, ic, oc, size;
  };
  const Case cases[] = {{"jit_wino_4x3", 1, 160, 96, 28},
                        {"jit_wino_4x3", 8, 256, 512, 7},
                        {"jit_fp32_wino_2x3", 1, 64, 32, 14},
                        {"jit_fp32_wino_2x3", 1, 128, 128, 14},
                        {"jit_fp32_wino_2x3", 1, 256, 256, 14}};
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.kernel) + " " + std::to_string(c.ic) + " -> " +
                 std::to_string(c.oc));
    const memory::desc x({c.batch, c.ic, c.size, c.size}, memory::data_type::f32,
                         memory::format_tag::any);
    const memory::desc y({c.batch, c.oc, c.size, c.size}, memory::data_type::f32,
                         memory::format_tag::any);
    const memory::desc w_any({c.oc, c.ic, 3, 3}, memory::data_type::f32, memory::format_tag::any);
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_winograd, x, w_any, y,
        {1, 1}, {0, 0}, {1, 1}, {1, 1});
    std::optional<dnnl::convolution_forward::primitive_desc> pd;
    try {
      dnnl::convolution_forward::primitive_desc p(desc, engine, true);
      do {
        if (std::string(p.impl_info_str()).rfind(c.kernel, 0) == 0) pd = p;
      } while (!pd && p.next_impl());
    } catch (const dnnl::error&) {
    }
    if (!pd) GTEST_SKIP() << "oneDNN has no " << c.kernel << " on this CPU";
    const memory::desc plain({c.oc, c.ic, 3, 3}, memory::data_type::f32, memory::format_tag::oihw);
    const Tensor w = random_tensor({c.oc, c.ic, 3, 3}, 5);
    memory src(plain, engine, const_cast<void*>(w.raw()));
    memory expected(pd->weights_desc(), engine);
    dnnl::reorder(src, expected).execute(stream, src, expected);
    stream.wait();
    memory ours(pd->weights_desc(), engine);
    for (int threads : {1, 2}) {
      ASSERT_TRUE(onednn::pack_winograd_weights(plain, w.data<float>(), pd->weights_desc(),
                                                static_cast<float*>(ours.get_data_handle()),
                                                threads));
      const auto* e = static_cast<const float*>(expected.get_data_handle());
      const auto* o = static_cast<const float*>(ours.get_data_handle());
      const size_t n = pd->weights_desc().get_size() / sizeof(float);
      size_t off = 0;
      for (size_t i = 0; i < n; ++i)
        if (std::fabs(e[i] - o[i]) > 1e-6f * (1.f + std::fabs(e[i]))) ++off;
      EXPECT_EQ(off, 0u) << "of " << n << " values";
    }
  }
}

// Outside deterministic mode a batch of 8 or more computes even 7x7 outputs with F(4x4, 3x3),
// whose weights it shares among enough tiles; deterministic plans keep them direct.
TEST(OneDnnConv, LargeBatchesUseWinogradDownTo7x7) {
  const ConvCase c{{8, 64, 7, 7}, {16, 64, 3, 3}, {ints_attr("pads", {1, 1, 1, 1})}};
  std::vector<Tensor> in = conv_inputs(c, {}, false);
  const Tensor expected = reference_fused(c, in, false, nullptr);
  const Node node = make_node("Conv", 3, 1, c.attrs);
  for (bool deterministic : {false, true}) {
    KernelConfig config;
    config.deterministic = deterministic;
    const VariantResult r = run_variant(node, 17, in, {false, true, false}, 1, config);
    SCOPED_TRACE(deterministic ? "deterministic" : "fastest");
    if (deterministic)
      EXPECT_EQ(r.kernel_name, "conv_f32_onednn");
    else if (r.kernel_name != "conv_f32_winograd_onednn")
      GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU: " << r.kernel_name;
    expect_close(expected, r.outputs[0], 1e-4f);
  }
}

TEST(OneDnnConv, Bf16IsCloseToReference) {
  KernelConfig config;
  config.bf16 = true;
  for (const ConvCase& c : kCases) {
    std::vector<Tensor> in = conv_inputs(c, {}, false);
    if (!c.bias) in.pop_back();
    Node node = make_node("Conv", c.bias ? 3 : 2, 1, c.attrs);
    VariantResult r = run_variant(node, 17, in, {false, true, false}, 1, config);
    // bfloat16 keeps 8 mantissa bits; sums of up to ~300 products of values in [-1, 1].
    expect_close(reference_fused(c, in, false, nullptr), r.outputs[0], 0.1f);
  }
}

}  // namespace
}  // namespace infera::testing
