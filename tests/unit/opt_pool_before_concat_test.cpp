// pool_before_concat: MaxPool(Concat(a, b)) along the channels becomes
// Concat(MaxPool(a), MaxPool(b)); a Concat others read, or a pool that outputs Indices, stays.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// x -> Relu a, x -> Sigmoid b -> Concat(axis) -> MaxPool 3x3 stride 2, ceil (SqueezeNet's).
Model pooled_concat_model(int64_t axis, bool concat_is_output) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 3, 7, 7}));
  g.nodes.push_back(make_node("Relu", {"x"}, {"a"}));
  g.nodes.push_back(make_node("Sigmoid", {"x"}, {"b"}));
  g.nodes.push_back(make_node("Concat", {"a", "b"}, {"ab"}, {int_attr("axis", axis)}));
  g.nodes.push_back(make_node("MaxPool", {"ab"}, {"y"},
                              {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}),
                               int_attr("ceil_mode", 1)}));
  g.outputs = {tensor_value("y", axis == 1 ? Shape{-1, 6, 3, 3} : Shape{-2, 3, 3, 3})};
  if (concat_is_output) g.outputs.push_back(tensor_value("ab", {-1, 6, 7, 7}));
  return m;
}

TEST(OptPoolBeforeConcat, PoolsEachPartThenConcatenates) {
  Model opt = expect_same_outputs(pooled_concat_model(1, false), {random_tensor({2, 3, 7, 7}, 1)});
  EXPECT_EQ(count_ops(opt, "MaxPool"), 2);
  ASSERT_EQ(count_ops(opt, "Concat"), 1);
  const Node& concat = opt.graph->nodes.back();
  EXPECT_EQ(concat.op_type, "Concat");
  EXPECT_EQ(concat.outputs[0], "y");
}

TEST(OptPoolBeforeConcat, LeavesConcatOthersReadAndOtherAxes) {
  Model opt = expect_same_outputs(pooled_concat_model(1, true), {random_tensor({2, 3, 7, 7}, 2)});
  EXPECT_EQ(count_ops(opt, "MaxPool"), 1);
  opt = expect_same_outputs(pooled_concat_model(0, false), {random_tensor({2, 3, 7, 7}, 3)});
  EXPECT_EQ(count_ops(opt, "MaxPool"), 1);
}

}  // namespace
}  // namespace infera::testing
