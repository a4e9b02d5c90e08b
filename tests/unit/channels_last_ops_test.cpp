// The channels-last com.infera ops (ops/channels_last.h): FusedConv with channels_last = 1 and
// the Nhwc pools. Expected values come from the ai.onnx reference kernels on channels-first
// data, transposed by an index loop written here; both the channels-last reference kernel and
// the oneDNN variant must match them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "ops/channels_last.h"
#include "variant_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  return lcg_tensor(std::move(shape), seed, 7);
}

// [N, C, H, W] -> [N, H, W, C] (rank 4) or [N, C, L] -> [N, L, C] (rank 3), indexed directly.
Tensor to_nhwc(const Tensor& t) {
  const int64_t n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.rank() == 4 ? t.dim(3) : 1;
  Shape shape = t.rank() == 4 ? Shape{n, h, w, c} : Shape{n, h, c};
  Tensor out = Tensor::empty(DType::kFloat32, shape);
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < c; ++ic)
      for (int64_t ih = 0; ih < h; ++ih)
        for (int64_t iw = 0; iw < w; ++iw)
          out.data<float>()[((in * h + ih) * w + iw) * c + ic] =
              t.data<float>()[((in * c + ic) * h + ih) * w + iw];
  return out;
}

TEST(ChannelsLast, ShapesAndTranspose) {
  EXPECT_EQ(channels_last_shape({2, 3, 5, 7}), (Shape{2, 5, 7, 3}));
  EXPECT_EQ(channels_first_shape({2, 5, 7, 3}), (Shape{2, 3, 5, 7}));
  EXPECT_EQ(channels_last_shape({2, 3, 5}), (Shape{2, 5, 3}));
  const Tensor x = random_tensor({2, 3, 4, 5}, 1);
  Tensor last = Tensor::empty(DType::kFloat32, channels_last_shape(x.shape()));
  transpose_channels(x, last, true);
  expect_close(to_nhwc(x), last, 0.f);
  Tensor back = Tensor::empty(DType::kFloat32, x.shape());
  transpose_channels(last, back, false);
  expect_close(x, back, 0.f);
}

struct ConvCase {
  Shape x, w;
  std::vector<Attribute> attrs;
};

const ConvCase kConvCases[] = {
    {{2, 3, 7, 9},
     {5, 3, 3, 2},
     {ints_attr("strides", {2, 1}), ints_attr("pads", {1, 0, 1, 1}),
      ints_attr("dilations", {1, 2})}},
    {{1, 6, 5, 5}, {9, 2, 3, 3}, {int_attr("group", 3), ints_attr("pads", {1, 1, 1, 1})}},
    {{1, 24, 11, 6},
     {24, 1, 3, 3},
     {int_attr("group", 24), ints_attr("strides", {2, 2}), ints_attr("pads", {1, 1, 1, 1})}},
    {{1, 5, 6, 7},
     {3, 5, 2, 3},
     {string_attr("auto_pad", "SAME_UPPER"), ints_attr("strides", {2, 2})}},
    {{2, 32, 9, 9}, {48, 32, 1, 1}, {}},
};

// Conv(X, W, B) + Z, then Relu, on channels-first data with the ai.onnx reference kernel.
Tensor reference_conv_relu(const ConvCase& c, const std::vector<Tensor>& in) {
  Tensor y = run_kernel(make_node("Conv", 3, 1, c.attrs), 17, {in[0], in[1], in[2]}, 1)[0];
  for (int64_t i = 0; i < y.numel(); ++i)
    y.data<float>()[i] = std::max(0.f, y.data<float>()[i] + in[3].data<float>()[i]);
  return y;
}

TEST(ChannelsLast, FusedConvMatchesChannelsFirstReference) {
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(shape_to_string(c.x) + " W " + shape_to_string(c.w));
    std::vector<Tensor> in{random_tensor(c.x, 1), random_tensor(c.w, 2),
                           random_tensor({c.w[0]}, 3)};
    const Shape y = run_kernel(make_node("Conv", 3, 1, c.attrs), 17, in, 1)[0].shape();
    in.push_back(random_tensor(y, 4));
    const Tensor expected = to_nhwc(reference_conv_relu(c, in));

    std::vector<Attribute> attrs = c.attrs;
    attrs.push_back(string_attr("activation", "Relu"));
    attrs.push_back(int_attr("channels_last", 1));
    const Node node = make_node("FusedConv", 4, 1, attrs, "com.infera");
    const std::vector<Tensor> nhwc_in{to_nhwc(in[0]), in[1], in[2], to_nhwc(in[3])};
    expect_close(expected, run_kernel(node, 1, nhwc_in, 1)[0], 1e-5f);
    for (bool planned : {true, false}) {
      VariantResult r = run_variant(node, 1, nhwc_in, {false, true, false, false}, 1, {}, planned);
      EXPECT_EQ(r.kernel_name, "conv_f32_onednn");
      expect_close(expected, r.outputs[0], 1e-4f);
    }
  }
}

TEST(ChannelsLast, FusedConvRejectsBadFlag) {
  const Node node = make_node("FusedConv", 2, 1, {int_attr("channels_last", 2)}, "com.infera");
  EXPECT_THROW(
      run_kernel(node, 1, {random_tensor({1, 4, 4, 2}, 1), random_tensor({2, 2, 1, 1}, 2)}, 1),
      Error);
}

struct PoolCase {
  const char* op;
  Shape x;
  std::vector<Attribute> attrs;
};

TEST(ChannelsLast, PoolsMatchChannelsFirstReference) {
  const PoolCase cases[] = {
      {"MaxPool",
       {1, 3, 11, 9},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}),
        ints_attr("pads", {1, 1, 1, 1})}},
      {"MaxPool",
       {2, 4, 10, 7},
       {ints_attr("kernel_shape", {3, 2}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}},
      {"AveragePool",
       {1, 3, 9, 8},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("pads", {1, 0, 1, 2}),
        int_attr("count_include_pad", 1)}},
      {"AveragePool",
       {2, 2, 10, 7},
       {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}},
      {"GlobalAveragePool", {2, 5, 7, 3}, {}},
      {"GlobalAveragePool", {1, 9, 13}, {}},
      {"GlobalAveragePool", {2, 37, 6, 5}, {}},  // blocks of 16 channels and a tail of 5
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(std::string(c.op) + " " + shape_to_string(c.x));
    const Tensor x = random_tensor(c.x, 5);
    const Tensor expected = to_nhwc(run_kernel(make_node(c.op, 1, 1, c.attrs), 17, {x}, 1)[0]);
    const Node node = make_node(std::string("Nhwc") + c.op, 1, 1, c.attrs, "com.infera");
    expect_close(expected, run_kernel(node, 1, {to_nhwc(x)}, 1)[0], 1e-6f);
    VariantResult r = run_variant(node, 1, {to_nhwc(x)}, {}, 1);
    EXPECT_NE(r.kernel_name.find("_nhwc_f32_"), std::string::npos) << r.kernel_name;
    expect_close(expected, r.outputs[0], 1e-5f);
  }
}

}  // namespace
}  // namespace infera::testing
