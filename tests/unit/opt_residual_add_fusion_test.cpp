// residual_add_fusion: Add(Conv, Z) with Z shaped like the Conv output becomes FusedConv with
// input Z (and then takes the following Relu); broadcasting Adds stay.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// x -> Conv(same padding) -> c; y = Relu(Add(c, z)), z given by `z_shape`.
Model residual_model(const Shape& z_shape, bool conv_first) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 4, 6, 6}));  // symbolic batch
  g.inputs.push_back(tensor_value("z", z_shape));
  g.initializers.push_back({"W", random_tensor({4, 4, 3, 3}, 1)});
  g.initializers.push_back({"B", random_tensor({4}, 2)});
  g.nodes.push_back(make_node("Conv", {"x", "W", "B"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node(
      "Add", conv_first ? std::vector<std::string>{"c", "z"} : std::vector<std::string>{"z", "c"},
      {"s"}));
  g.nodes.push_back(make_node("Relu", {"s"}, {"y"}));
  g.outputs = {tensor_value("y", {-1, 4, 6, 6})};
  return m;
}

TEST(OptResidualAddFusion, FusesSameShapeResidualAndRelu) {
  for (bool conv_first : {true, false}) {
    Model m = residual_model({-1, 4, 6, 6}, conv_first);
    Model opt =
        expect_same_outputs(m, {random_tensor({2, 4, 6, 6}, 3), random_tensor({2, 4, 6, 6}, 4)});
    ASSERT_EQ(opt.graph->nodes.size(), 1u);
    const Node& n = opt.graph->nodes[0];
    EXPECT_EQ(n.op_type, "FusedConv");
    ASSERT_EQ(n.inputs.size(), 4u);
    EXPECT_EQ(n.inputs[3], "z");
    EXPECT_EQ(n.find_attribute("activation")->s, "Relu");
  }
}

TEST(OptResidualAddFusion, LeavesBroadcastingAdd) {
  Model m = residual_model({1, 4, 1, 1}, true);
  Model opt =
      expect_same_outputs(m, {random_tensor({2, 4, 6, 6}, 3), random_tensor({1, 4, 1, 1}, 4)});
  EXPECT_EQ(count_ops(opt, "Add"), 1);
}

}  // namespace
}  // namespace infera::testing
