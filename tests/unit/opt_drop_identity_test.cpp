// drop_identity: Identity and inference Dropout disappear; graph output names survive.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

TEST(OptDropIdentity, DropsIdentityAndDropoutKeepingOutputNames) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {2, 3}));
  g.nodes.push_back(make_node("Identity", {"x"}, {"a"}));
  g.nodes.push_back(make_node("Relu", {"a"}, {"b"}));
  g.nodes.push_back(make_node("Dropout", {"b"}, {"c"}));
  g.nodes.push_back(make_node("Neg", {"c"}, {"d"}));
  g.nodes.push_back(make_node("Identity", {"d"}, {"y"}));       // y is a graph output
  g.nodes.push_back(make_node("Identity", {"x"}, {"x_copy"}));  // x is a graph input: kept
  g.outputs = {tensor_value("y", {2, 3}), tensor_value("x_copy", {2, 3})};
  Model opt = expect_same_outputs(m, {random_tensor({2, 3}, 1)});
  EXPECT_EQ(count_ops(opt, "Dropout"), 0);
  EXPECT_EQ(count_ops(opt, "Identity"), 1);  // the copy of a graph input to a graph output
  EXPECT_EQ(opt.graph->nodes.size(), 3u);
  EXPECT_EQ(opt.graph->outputs[0].name, "y");
}

TEST(OptDropIdentity, KeepsDropoutWhoseMaskIsRead) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {4}));
  g.nodes.push_back(make_node("Dropout", {"x"}, {"y", "mask"}));
  g.outputs = {tensor_value("y", {4}), ValueInfo{"mask", {}}};
  Model opt = copy_model(m);
  optimize_model(opt);
  EXPECT_EQ(count_ops(opt, "Dropout"), 1);
}

}  // namespace
}  // namespace infera::testing
