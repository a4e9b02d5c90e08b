// conv_max_pool_fusion: a channels-last FusedConv with few input channels and the 2x2 stride-2
// max pool reading it become one FusedConvMaxPool. The optimized graph (the fused op's
// reference kernel) must give what the unoptimized ai.onnx Conv, Relu and MaxPool give; and
// the rule must leave alone what the fused op's fast kernel does not cover.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

Attribute two_by_two(const std::string& name) {
  return ints_attr(name, {2, 2});
}

// x [N, cin, h, w] -> Conv (cout, 3x3, pad 1) -> Relu -> MaxPool(pool_attrs) -> y; the conv's
// output is also a graph output when `conv_is_output`.
Model conv_pool(int64_t cin, int64_t cout, int64_t h, int64_t w, std::vector<Attribute> pool_attrs,
                bool conv_is_output = false) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, cin, h, w}));
  g.initializers.push_back({"W", random_tensor({cout, cin, 3, 3}, 1)});
  g.initializers.push_back({"B", random_tensor({cout}, 2)});
  g.nodes.push_back(make_node("Conv", {"x", "W", "B"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
  g.nodes.push_back(make_node("MaxPool", {"r"}, {"y"}, std::move(pool_attrs)));
  g.outputs = {tensor_value("y", {-1, cout, -1, -1})};
  if (conv_is_output) g.outputs.push_back(tensor_value("r", {-1, cout, h, w}));
  return m;
}

TEST(OptConvMaxPoolFusion, FusesSmallCinConvAndPool) {
  // Odd height and width: the pool's floor drops the last conv row and column.
  for (int64_t cin : {1, 3, 16}) {
    SCOPED_TRACE("cin " + std::to_string(cin));
    Model m = conv_pool(cin, 16, 9, 11, {two_by_two("kernel_shape"), two_by_two("strides")});
    Model opt = expect_same_outputs(m, {random_tensor({2, cin, 9, 11}, 3)}, {});
    EXPECT_EQ(count_ops(opt, "FusedConvMaxPool"), 1);
    EXPECT_EQ(count_ops(opt, "FusedConv"), 0);
    EXPECT_EQ(count_ops(opt, "NhwcMaxPool"), 0);
  }
}

TEST(OptConvMaxPoolFusion, Bf16LeavesDeeperConvsToOneDnn) {
  const std::vector<Attribute> pool = {two_by_two("kernel_shape"), two_by_two("strides")};
  OptimizeOptions bf16;
  bf16.bf16 = true;
  const Model deep = conv_pool(8, 16, 8, 8, pool);
  EXPECT_EQ(count_ops(expect_same_outputs(deep, {random_tensor({1, 8, 8, 8}, 5)}, bf16),
                      "FusedConvMaxPool"),
            0);
  const Model grey = conv_pool(1, 16, 8, 8, pool);
  EXPECT_EQ(count_ops(expect_same_outputs(grey, {random_tensor({1, 1, 8, 8}, 5)}, bf16),
                      "FusedConvMaxPool"),
            1);
}

TEST(OptConvMaxPoolFusion, LeavesOtherPoolsAndConvsAlone) {
  const std::vector<Attribute> pool = {two_by_two("kernel_shape"), two_by_two("strides")};
  struct Case {
    const char* what;
    Model model;
    int64_t cin, size;
  };
  const Case cases[] = {
      {"3x3 window",
       conv_pool(1, 16, 8, 8, {ints_attr("kernel_shape", {3, 3}), two_by_two("strides")}), 1, 8},
      {"stride 1", conv_pool(1, 16, 8, 8, {two_by_two("kernel_shape")}), 1, 8},
      {"padded",
       conv_pool(
           1, 16, 8, 8,
           {two_by_two("kernel_shape"), two_by_two("strides"), ints_attr("pads", {1, 1, 1, 1})}),
       1, 8},
      {"ceil_mode",
       conv_pool(1, 16, 9, 9,
                 {two_by_two("kernel_shape"), two_by_two("strides"), int_attr("ceil_mode", 1)}),
       1, 9},
      {"17 input channels", conv_pool(17, 16, 8, 8, pool), 17, 8},
      {"24 output channels", conv_pool(1, 24, 8, 8, pool), 1, 8},
      {"conv output read twice", conv_pool(1, 16, 8, 8, pool, true), 1, 8},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Model opt = expect_same_outputs(c.model, {random_tensor({1, c.cin, c.size, c.size}, 4)}, {});
    EXPECT_EQ(count_ops(opt, "FusedConvMaxPool"), 0);
    EXPECT_EQ(count_ops(opt, "FusedConv"), 1);
  }
}

}  // namespace
}  // namespace infera::testing
