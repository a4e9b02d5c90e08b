// constant_folding: chains of nodes on initializers become initializers.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

TEST(OptConstantFolding, FoldsAChainOfConstantNodes) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {2, 3}));
  g.initializers.push_back({"c1", random_tensor({2, 3}, 1)});
  g.initializers.push_back({"c2", random_tensor({3}, 2)});
  Node constant = make_node("Constant", {}, {"k"});
  Attribute value;
  value.name = "value";
  value.type = Attribute::Type::kTensor;
  value.t = random_tensor({1}, 3);
  constant.attributes.push_back(value);
  g.nodes.push_back(constant);
  g.nodes.push_back(make_node("Add", {"c1", "c2"}, {"s"}));
  g.nodes.push_back(make_node("Mul", {"s", "k"}, {"m"}));
  g.nodes.push_back(make_node("Add", {"x", "m"}, {"y"}));
  g.outputs = {tensor_value("y", {2, 3})};
  Model opt = expect_same_outputs(m, {random_tensor({2, 3}, 4)});
  ASSERT_EQ(opt.graph->nodes.size(), 1u);
  EXPECT_EQ(opt.graph->nodes[0].inputs[1], "m");
}

TEST(OptConstantFolding, LeavesGraphOutputsAndRandomOps) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.initializers.push_back({"c", random_tensor({3}, 1)});
  g.nodes.push_back(make_node("Neg", {"c"}, {"y"}));  // a graph output: stays a node
  Node random = make_node("RandomUniform", {}, {"r"}, {ints_attr("shape", {3})});
  g.nodes.push_back(random);
  g.nodes.push_back(make_node("Mul", {"r", "c"}, {"z"}));
  g.outputs = {tensor_value("y", {3}), tensor_value("z", {3})};
  Model opt = copy_model(m);
  optimize_model(opt);
  EXPECT_EQ(opt.graph->nodes.size(), 3u);
}

}  // namespace
}  // namespace infera::testing
