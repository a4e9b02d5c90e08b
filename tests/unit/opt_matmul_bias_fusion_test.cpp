// matmul_bias_fusion: MatMul + Add(1-D bias) becomes FusedMatMul(A, B, bias).
#include "opt_test_util.h"

namespace infera::testing {
namespace {

TEST(OptMatMulBiasFusion, FusesBiasThenActivation) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {2, 3, 4}));
  g.initializers.push_back({"W", random_tensor({4, 5}, 1)});
  g.initializers.push_back({"bias", random_tensor({5}, 2)});
  g.nodes.push_back(make_node("MatMul", {"x", "W"}, {"p"}));
  g.nodes.push_back(make_node("Add", {"bias", "p"}, {"s"}));
  g.nodes.push_back(make_node("Tanh", {"s"}, {"y"}));
  g.outputs = {tensor_value("y", {2, 3, 5})};
  Model opt = expect_same_outputs(m, {random_tensor({2, 3, 4}, 3)});
  ASSERT_EQ(opt.graph->nodes.size(), 1u);
  const Node& n = opt.graph->nodes[0];
  EXPECT_EQ(n.op_type, "FusedMatMul");
  EXPECT_EQ(n.inputs, (std::vector<std::string>{"x", "W", "bias"}));
  EXPECT_EQ(n.find_attribute("activation")->s, "Tanh");
}

TEST(OptMatMulBiasFusion, LeavesNonConstantOrMismatchedBias) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {3, 4}));
  g.inputs.push_back(tensor_value("v", {5}));
  g.initializers.push_back({"W", random_tensor({4, 5}, 1)});
  g.initializers.push_back({"one", random_tensor({1}, 2)});
  g.nodes.push_back(make_node("MatMul", {"x", "W"}, {"p"}));
  g.nodes.push_back(make_node("Add", {"p", "v"}, {"s"}));
  g.nodes.push_back(make_node("MatMul", {"x", "W"}, {"q"}));
  g.nodes.push_back(make_node("Add", {"q", "one"}, {"t"}));
  g.outputs = {tensor_value("s", {3, 5}), tensor_value("t", {3, 5})};
  Model opt = expect_same_outputs(m, {random_tensor({3, 4}, 3), random_tensor({5}, 4)});
  EXPECT_EQ(count_ops(opt, "Add"), 2);
}

}  // namespace
}  // namespace infera::testing
