// conv_bn_fusion: BatchNormalization after Conv folds into new Conv weights.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

Model conv_bn_model(bool conv_bias) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {2, 3, 7, 6}));
  g.initializers.push_back({"W", random_tensor({4, 3, 3, 3}, 1)});
  if (conv_bias) g.initializers.push_back({"B", random_tensor({4}, 2)});
  g.initializers.push_back({"scale", random_tensor({4}, 3, 0.5f, 2.f)});
  g.initializers.push_back({"beta", random_tensor({4}, 4)});
  g.initializers.push_back({"mean", random_tensor({4}, 5)});
  g.initializers.push_back({"var", random_tensor({4}, 6, 0.1f, 3.f)});
  std::vector<std::string> conv_in = {"x", "W"};
  if (conv_bias) conv_in.push_back("B");
  g.nodes.push_back(make_node("Conv", conv_in, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"y"},
                              {float_attr("epsilon", 1e-3f)}));
  g.outputs = {tensor_value("y", {2, 4, 7, 6})};
  return m;
}

TEST(OptConvBnFusion, FoldsWithAndWithoutConvBias) {
  for (bool bias : {true, false}) {
    Model m = conv_bn_model(bias);
    Model opt = expect_same_outputs(m, {random_tensor({2, 3, 7, 6}, 7)});
    EXPECT_EQ(count_ops(opt, "BatchNormalization"), 0);
    ASSERT_EQ(opt.graph->nodes.size(), 1u);
    EXPECT_EQ(opt.graph->nodes[0].outputs[0], "y");
    // The original weights are untouched (they may live in a read-only mapping).
    EXPECT_EQ(m.graph->initializers[0].name, "W");
  }
}

TEST(OptConvBnFusion, KeepsBnWhenConvOutputHasOtherReaders) {
  Model m = conv_bn_model(true);
  m.graph->nodes.push_back(make_node("Relu", {"c"}, {"r"}));
  m.graph->outputs.push_back(tensor_value("r", {2, 4, 7, 6}));
  Model opt = copy_model(m);
  optimize_model(opt);
  EXPECT_EQ(count_ops(opt, "BatchNormalization"), 1);
}

}  // namespace
}  // namespace infera::testing
