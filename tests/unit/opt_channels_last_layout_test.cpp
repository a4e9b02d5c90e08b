// channels_last_layout: convolutional regions move to NHWC with Transposes only at their borders.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

int count_channels_last_convs(const Model& m) {
  int n = 0;
  for (const Node& node : m.graph->nodes) {
    const Attribute* a = node.find_attribute("channels_last");
    n += node.op_type == "FusedConv" && a && a->i == 1;
  }
  return n;
}

// x -> Conv -> Relu -> MaxPool -> [Conv 1x1, depthwise Conv] -> Concat -> Mul by a per-channel
// constant -> squeeze-excite (GlobalAveragePool, Conv, Sigmoid, Mul) -> Add residual ->
// GlobalAveragePool -> Flatten -> Gemm. One region: one Transpose in, one out before Flatten,
// which flatten_transpose_into_gemm then folds into the Gemm's weights.
Model conv_net() {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 3, 13, 11}));
  g.initializers.push_back({"W1", random_tensor({8, 3, 3, 3}, 1)});
  g.initializers.push_back({"B1", random_tensor({8}, 2)});
  g.initializers.push_back({"W2", random_tensor({6, 8, 1, 1}, 3)});
  g.initializers.push_back({"W3", random_tensor({8, 1, 3, 3}, 4)});
  g.initializers.push_back({"scale", random_tensor({14, 1, 1}, 5)});
  g.initializers.push_back({"Wse", random_tensor({14, 14, 1, 1}, 6)});
  g.initializers.push_back({"Wfc", random_tensor({4, 14}, 7)});
  g.nodes.push_back(
      make_node("Conv", {"x", "W1", "B1"}, {"c1"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Relu", {"c1"}, {"r1"}));
  g.nodes.push_back(make_node(
      "MaxPool", {"r1"}, {"p1"},
      {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), int_attr("ceil_mode", 1)}));
  g.nodes.push_back(make_node("Conv", {"p1", "W2"}, {"a"}));
  g.nodes.push_back(make_node("Conv", {"p1", "W3"}, {"b"},
                              {int_attr("group", 8), ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Concat", {"a", "b"}, {"cat"}, {int_attr("axis", 1)}));
  g.nodes.push_back(make_node("Mul", {"cat", "scale"}, {"scaled"}));
  g.nodes.push_back(make_node("GlobalAveragePool", {"scaled"}, {"squeezed"}));
  g.nodes.push_back(make_node("Conv", {"squeezed", "Wse"}, {"se"}));
  g.nodes.push_back(make_node("Sigmoid", {"se"}, {"gate"}));
  g.nodes.push_back(make_node("Mul", {"scaled", "gate"}, {"excited"}));
  g.nodes.push_back(make_node("Add", {"excited", "cat"}, {"sum"}));
  g.nodes.push_back(make_node("GlobalAveragePool", {"sum"}, {"pooled"}));
  g.nodes.push_back(make_node("Flatten", {"pooled"}, {"flat"}));
  g.nodes.push_back(make_node("Gemm", {"flat", "Wfc"}, {"y"}, {int_attr("transB", 1)}));
  g.outputs = {tensor_value("y", {-1, 4})};
  return m;
}

TEST(OptChannelsLastLayout, WholeRegionWithTransposesOnlyAtBorders) {
  Model m = conv_net();
  Model opt = expect_same_outputs(m, {random_tensor({2, 3, 13, 11}, 8)}, {});
  EXPECT_EQ(count_channels_last_convs(opt), 4);
  EXPECT_EQ(count_ops(opt, "Conv"), 0);
  EXPECT_EQ(count_ops(opt, "Transpose"), 1);
  EXPECT_EQ(count_ops(opt, "NhwcMaxPool"), 1);
  EXPECT_EQ(count_ops(opt, "NhwcGlobalAveragePool"), 2);
  for (const Node& node : opt.graph->nodes) {
    if (node.op_type == "Concat") {
      EXPECT_EQ(node.find_attribute("axis")->i, 3);
    }
  }
}

TEST(OptChannelsLastLayout, FastKernelsMatchUnoptimizedReference) {
  Model m = conv_net();
  Model opt = copy_model(m);
  optimize_model(opt);
  const std::vector<Tensor> inputs{random_tensor({3, 3, 13, 11}, 9)};
  KernelConfig fast;
  fast.threads = 2;
  auto compiled = compile_graph(opt.graph, opt, nullptr, &fast);
  std::vector<Value> values(inputs.begin(), inputs.end());
  auto plan = prepare_plan(compiled, values, fast);
  const std::vector<Value> got = execute_plan(*plan, values);
  const std::vector<Tensor> want = run_model(m, inputs);
  ASSERT_EQ(got.size(), 1u);
  expect_close(got[0].tensor, want[0], 1e-4);
}

TEST(OptChannelsLastLayout, ValueReadInsideAndOutsideGetsOneExit) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 4, 6, 6}));
  g.initializers.push_back({"W", random_tensor({4, 4, 3, 3}, 1)});
  g.nodes.push_back(make_node("Conv", {"x", "W"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
  g.nodes.push_back(make_node("Conv", {"r", "W"}, {"d"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Add", {"d", "x"}, {"y"}));  // x enters once, shared with conv 1
  g.nodes.push_back(make_node("Reshape", {"r", "shape"}, {"flat"}));
  g.initializers.push_back({"shape", Tensor::empty(DType::kInt64, {2})});
  g.initializers.back().tensor.data<int64_t>()[0] = 1;
  g.initializers.back().tensor.data<int64_t>()[1] = -1;
  g.outputs = {tensor_value("y", {1, 4, 6, 6}), tensor_value("flat", {1, 144})};
  Model opt = expect_same_outputs(m, {random_tensor({1, 4, 6, 6}, 2)}, {});
  // x in; r out for Reshape; y out as a graph output.
  EXPECT_EQ(count_ops(opt, "Transpose"), 3);
  EXPECT_EQ(opt.graph->outputs[0].name, "y");
}

TEST(OptChannelsLastLayout, LeavesGraphsWithoutConstantWeightConvsAlone) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 2, 5, 5}));
  g.inputs.push_back(tensor_value("w", {3, 2, 3, 3}));
  g.nodes.push_back(make_node("Conv", {"x", "w"}, {"c"}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"y"}));
  g.outputs = {tensor_value("y", {1, 3, 3, 3})};
  Model opt =
      expect_same_outputs(m, {random_tensor({1, 2, 5, 5}, 3), random_tensor({3, 2, 3, 3}, 4)}, {});
  EXPECT_EQ(count_ops(opt, "Transpose"), 0);
  EXPECT_EQ(count_channels_last_convs(opt), 0);
}

}  // namespace
}  // namespace infera::testing
