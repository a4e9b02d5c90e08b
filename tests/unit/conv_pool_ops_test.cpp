// Conv, ConvTranspose and the pooling ops against naive loops written here independently
// (every output summed straight from the definition), on odd shapes that cross the kernels'
// row tiles, plus hand-checked pooling corner cases.
#include <gtest/gtest.h>

#include <random>

#include "kernel_harness.h"

namespace infera::testing {
namespace {

Tensor random_tensor(Shape shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

struct Conv2dCase {
  int64_t n, c, h, w, m, kh, kw, group, sh, sw, dh, dw, pt, pl, pb, pr;
};

// y[n, m, oh, ow] = b[m] + sum over c in m's group, kh, kw of x[...] * w[...].
std::vector<float> naive_conv2d(const Conv2dCase& p, const Tensor& x, const Tensor& w,
                                const Tensor& b, int64_t oh_n, int64_t ow_n) {
  std::vector<float> y(static_cast<size_t>(p.n * p.m * oh_n * ow_n));
  const int64_t cg = p.c / p.group, mg = p.m / p.group;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t m = 0; m < p.m; ++m)
      for (int64_t oh = 0; oh < oh_n; ++oh)
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          double s = b.data<float>()[m];
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < p.kh; ++i)
              for (int64_t j = 0; j < p.kw; ++j) {
                const int64_t ih = oh * p.sh - p.pt + i * p.dh, iw = ow * p.sw - p.pl + j * p.dw;
                if (ih < 0 || ih >= p.h || iw < 0 || iw >= p.w) continue;
                const int64_t ci = (m / mg) * cg + c;
                s += x.data<float>()[((n * p.c + ci) * p.h + ih) * p.w + iw] *
                     w.data<float>()[((m * cg + c) * p.kh + i) * p.kw + j];
              }
          y[static_cast<size_t>(((n * p.m + m) * oh_n + oh) * ow_n + ow)] = static_cast<float>(s);
        }
  return y;
}

TEST(Conv, MatchesNaiveLoopsOnOddShapes) {
  const Conv2dCase cases[] = {
      {2, 4, 7, 9, 6, 3, 2, 2, 2, 1, 1, 2, 1, 0, 2, 1},
      {1, 3, 5, 300, 2, 1, 5, 1, 1, 1, 1, 1, 0, 2, 0, 2},  // rows longer than one tile
      {1, 6, 6, 6, 6, 3, 3, 6, 1, 3, 2, 1, 2, 1, 1, 0},    // depthwise
      {2, 6, 17, 19, 4, 1, 1, 2, 1, 1, 1, 1, 0, 0, 0, 0},  // pointwise, plane above one tile
  };
  uint32_t seed = 1;
  for (const Conv2dCase& p : cases) {
    const Tensor x = random_tensor({p.n, p.c, p.h, p.w}, seed++);
    const Tensor w = random_tensor({p.m, p.c / p.group, p.kh, p.kw}, seed++);
    const Tensor b = random_tensor({p.m}, seed++);
    const Node node = make_node(
        "Conv", 3, 1,
        {int_attr("group", p.group), ints_attr("strides", {p.sh, p.sw}),
         ints_attr("dilations", {p.dh, p.dw}), ints_attr("pads", {p.pt, p.pl, p.pb, p.pr})});
    const auto out = run_kernel(node, 13, {x, w, b}, 1);
    const int64_t oh = (p.h + p.pt + p.pb - ((p.kh - 1) * p.dh + 1)) / p.sh + 1;
    const int64_t ow = (p.w + p.pl + p.pr - ((p.kw - 1) * p.dw + 1)) / p.sw + 1;
    ASSERT_EQ(out[0].shape(), (Shape{p.n, p.m, oh, ow}));
    const std::vector<float> want = naive_conv2d(p, x, w, b, oh, ow);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(out[0].data<float>()[i], want[i], 1e-4);
  }
}

TEST(Conv, ChannelMismatchNamesBothCounts) {
  const Tensor x = random_tensor({1, 3, 4, 4}, 1);
  const Tensor w = random_tensor({2, 1, 3, 3}, 2);
  try {
    run_kernel(make_node("Conv", 2, 1, {}), 13, {x, w}, 1);
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("X has 3 channels but W expects 1"), std::string::npos)
        << e.what();
  }
}

TEST(ConvTranspose, MatchesNaiveScatterWithGroupsAndPads) {
  // x [1, 4, 3, 5], w [4, 3, 2, 3] (group 2 -> 6 output channels), strides 2x3, dilation 1x2.
  const Tensor x = random_tensor({1, 4, 3, 5}, 7);
  const Tensor w = random_tensor({4, 3, 2, 3}, 8);
  const int64_t sh = 2, sw = 3, dh = 1, dw = 2, pt = 1, pl = 0, pb = 0, pr = 2, oph = 1, opw = 0;
  const Node node = make_node(
      "ConvTranspose", 2, 1,
      {int_attr("group", 2), ints_attr("strides", {sh, sw}), ints_attr("dilations", {dh, dw}),
       ints_attr("pads", {pt, pl, pb, pr}), ints_attr("output_padding", {oph, opw})});
  const auto out = run_kernel(node, 13, {x, w}, 1);
  const int64_t full_h = sh * 2 + oph + (2 - 1) * dh + 1, full_w = sw * 4 + opw + (3 - 1) * dw + 1;
  const int64_t oh_n = full_h - pt - pb, ow_n = full_w - pl - pr;
  ASSERT_EQ(out[0].shape(), (Shape{1, 6, oh_n, ow_n}));
  std::vector<double> y(static_cast<size_t>(6 * oh_n * ow_n), 0.0);
  for (int64_t c = 0; c < 4; ++c)
    for (int64_t ih = 0; ih < 3; ++ih)
      for (int64_t iw = 0; iw < 5; ++iw)
        for (int64_t mm = 0; mm < 3; ++mm)
          for (int64_t kh = 0; kh < 2; ++kh)
            for (int64_t kw = 0; kw < 3; ++kw) {
              const int64_t oh = ih * sh + kh * dh - pt, ow = iw * sw + kw * dw - pl;
              if (oh < 0 || oh >= oh_n || ow < 0 || ow >= ow_n) continue;
              const int64_t m = (c / 2) * 3 + mm;
              y[static_cast<size_t>((m * oh_n + oh) * ow_n + ow)] +=
                  x.data<float>()[(c * 3 + ih) * 5 + iw] *
                  w.data<float>()[((c * 3 + mm) * 2 + kh) * 3 + kw];
            }
  for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(out[0].data<float>()[i], y[i], 1e-4);
}

TEST(ConvTranspose, OutputShapeMayListTheWholeShape) {
  const Tensor x = random_tensor({1, 1, 3, 3}, 9);
  const Tensor w = random_tensor({1, 2, 3, 3}, 10);
  const auto spatial =
      run_kernel(make_node("ConvTranspose", 2, 1,
                           {ints_attr("strides", {3, 2}), ints_attr("output_shape", {10, 8})}),
                 11, {x, w}, 1);
  const auto whole = run_kernel(
      make_node("ConvTranspose", 2, 1,
                {ints_attr("strides", {3, 2}), ints_attr("output_shape", {1, 2, 10, 8})}),
      11, {x, w}, 1);
  ASSERT_EQ(spatial[0].shape(), (Shape{1, 2, 10, 8}));
  ASSERT_EQ(whole[0].shape(), spatial[0].shape());
  for (int64_t i = 0; i < whole[0].numel(); ++i)
    EXPECT_EQ(whole[0].data<float>()[i], spatial[0].data<float>()[i]);
}

TEST(MaxPool, CeilModeDropsWindowStartingInPaddingAndReportsColumnMajorIndices) {
  // 1x1x3x3, kernel 2, stride 2, ceil_mode: windows start at 0 and 2 -> 2x2 output.
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 1, 3, 3}, {1, 9, 2, 3, 4, 5, 8, 6, 7});
  const Node node = make_node("MaxPool", 1, 2,
                              {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2}),
                               int_attr("ceil_mode", 1), int_attr("storage_order", 1)});
  const auto out = run_kernel(node, 12, {x}, 2);
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
  const float want[] = {9, 5, 8, 7};
  // Column-major index of (h, w) in a 3x3 plane is w * 3 + h.
  const int64_t want_idx[] = {1 * 3 + 0, 2 * 3 + 1, 0 * 3 + 2, 2 * 3 + 2};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(out[0].data<float>()[i], want[i]);
    EXPECT_EQ(out[1].data<int64_t>()[i], want_idx[i]);
  }
  // With ceil_mode and pads 1, a last window would start in the end padding; it is dropped.
  const Node padded = make_node("MaxPool", 1, 1,
                                {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2}),
                                 ints_attr("pads", {1, 1, 1, 1}), int_attr("ceil_mode", 1)});
  EXPECT_EQ(run_kernel(padded, 12, {x}, 1)[0].shape(), (Shape{1, 1, 2, 2}));
}

TEST(AveragePool, CountIncludePadCountsPadsButNotCeilOverhang) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 1, 1, 5}, {1, 2, 3, 4, 5});
  const Node node = make_node("AveragePool", 1, 1,
                              {ints_attr("kernel_shape", {1, 3}), ints_attr("strides", {1, 2}),
                               ints_attr("pads", {0, 1, 0, 0}), int_attr("ceil_mode", 1),
                               int_attr("count_include_pad", 1)});
  const auto out = run_kernel(node, 11, {x}, 1);
  // Windows start at -1, 1, 3: [pad,1,2] / 3, [2,3,4] / 3, [4,5] / 2 (the rest is overhang).
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 1, 3}));
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 1.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], 3.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[2], 4.5f);
}

TEST(MaxUnpool, InvertsMaxPoolIndices) {
  const Tensor x = random_tensor({2, 3, 4, 6}, 11);
  const Node pool =
      make_node("MaxPool", 1, 2, {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})});
  const auto pooled = run_kernel(pool, 12, {x}, 2);
  const Node unpool = make_node("MaxUnpool", 2, 1,
                                {ints_attr("kernel_shape", {2, 2}), ints_attr("strides", {2, 2})});
  const auto y = run_kernel(unpool, 11, {pooled[0], pooled[1]}, 1);
  ASSERT_EQ(y[0].shape(), x.shape());
  int64_t kept = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (y[0].data<float>()[i] != 0) {
      EXPECT_EQ(y[0].data<float>()[i], x.data<float>()[i]);
      ++kept;
    }
  }
  EXPECT_EQ(kept, pooled[0].numel());
}

TEST(LpPool, TwoNormOfEachWindow) {
  const Tensor x = make_tensor<float>(DType::kFloat32, {1, 1, 4}, {3, 4, -6, 8});
  const Node node =
      make_node("LpPool", 1, 1, {ints_attr("kernel_shape", {2}), ints_attr("strides", {2})});
  const auto out = run_kernel(node, 11, {x}, 1);
  EXPECT_FLOAT_EQ(out[0].data<float>()[0], 5.0f);
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], 10.0f);
}

}  // namespace
}  // namespace infera::testing
