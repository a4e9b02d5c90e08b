// activation_fusion: every supported activation after Conv / Gemm / MatMul moves into a
// com.infera fused node, with the same outputs.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// Conv -> activation; the activation is given as nodes appended after output "c".
Model conv_then(const std::function<void(Graph&)>& add_activation) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 2, 5, 5}));
  g.initializers.push_back({"W", random_tensor({3, 2, 3, 3}, 1)});
  g.initializers.push_back({"B", random_tensor({3}, 2)});
  g.nodes.push_back(make_node("Conv", {"x", "W", "B"}, {"c"}));
  add_activation(g);
  g.outputs = {tensor_value("y", {1, 3, 3, 3})};
  return m;
}

void expect_fused(const Model& m, const std::string& fused_op, const std::string& activation) {
  Model opt = expect_same_outputs(m, {random_tensor(Shape{1, 2, 5, 5}, 9, -3.f, 3.f)});
  ASSERT_EQ(opt.graph->nodes.size(), 1u) << activation;
  const Node& n = opt.graph->nodes[0];
  EXPECT_EQ(n.op_type, fused_op);
  EXPECT_EQ(n.domain, "com.infera");
  ASSERT_NE(n.find_attribute("activation"), nullptr);
  EXPECT_EQ(n.find_attribute("activation")->s, activation);
  EXPECT_EQ(opt.opset_for("com.infera"), 1);
}

TEST(OptActivationFusion, ConvWithEachSingleNodeActivation) {
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "HardSwish"})
    expect_fused(conv_then([&](Graph& g) { g.nodes.push_back(make_node(op, {"c"}, {"y"})); }),
                 "FusedConv", op);
  expect_fused(
      conv_then([](Graph& g) {
        g.nodes.push_back(make_node("LeakyRelu", {"c"}, {"y"}, {float_attr("alpha", 0.3f)}));
      }),
      "FusedConv", "LeakyRelu");
  expect_fused(
      conv_then([](Graph& g) {
        g.nodes.push_back(make_node("HardSigmoid", {"c"}, {"y"},
                                    {float_attr("alpha", 0.3f), float_attr("beta", 0.4f)}));
      }),
      "FusedConv", "HardSigmoid");
  expect_fused(conv_then([](Graph& g) {
                 g.initializers.push_back({"lo", Tensor::scalar(DType::kFloat32, 0.f)});
                 g.initializers.push_back({"hi", Tensor::scalar(DType::kFloat32, 0.5f)});
                 g.nodes.push_back(make_node("Clip", {"c", "lo", "hi"}, {"y"}));
               }),
               "FusedConv", "Clip");
}

TEST(OptActivationFusion, SiluInEitherInputOrder) {
  for (bool sigmoid_first : {false, true}) {
    expect_fused(conv_then([&](Graph& g) {
                   g.nodes.push_back(make_node("Sigmoid", {"c"}, {"s"}));
                   g.nodes.push_back(make_node("Mul",
                                               sigmoid_first ? std::vector<std::string>{"s", "c"}
                                                             : std::vector<std::string>{"c", "s"},
                                               {"y"}));
                 }),
                 "FusedConv", "SiLU");
  }
}

TEST(OptActivationFusion, GemmAndMatMul) {
  for (const char* op : {"Gemm", "MatMul"}) {
    Model m = make_model();
    Graph& g = *m.graph;
    g.inputs.push_back(tensor_value("x", {3, 4}));
    g.initializers.push_back({"W", random_tensor({4, 5}, 1)});
    g.nodes.push_back(make_node(op, {"x", "W"}, {"p"}));
    g.nodes.push_back(make_node("Relu", {"p"}, {"y"}));
    g.outputs = {tensor_value("y", {3, 5})};
    Model opt = expect_same_outputs(m, {random_tensor({3, 4}, 2)});
    ASSERT_EQ(opt.graph->nodes.size(), 1u);
    EXPECT_EQ(opt.graph->nodes[0].op_type, std::string("Fused") + op);
  }
}

TEST(OptActivationFusion, LeavesActivationWhenConvOutputIsShared) {
  Model m = conv_then([](Graph& g) {
    g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
    g.nodes.push_back(make_node("Add", {"r", "c"}, {"y"}));
  });
  Model opt = expect_same_outputs(m, {random_tensor(Shape{1, 2, 5, 5}, 3)});
  EXPECT_EQ(count_ops(opt, "Relu"), 1);
  EXPECT_EQ(count_ops(opt, "Conv"), 1);
}

}  // namespace
}  // namespace infera::testing
