// concat_conv_split: a 1x1 conv reading a channel Concat becomes one FusedConv per Concat
// input, each summing into the next, the bias on the first and the activation on the last;
// the Concat goes when nothing else reads it. Convs it cannot split stay as they are.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// x -> Conv a (4 channels, 1x1), x -> Conv b (4 channels, 3x3) -> Concat (8) -> Relu(Conv -> 6).
// `kernel` is the last conv's kernel size, `extra_reader` also makes Concat a graph output.
Model concat_conv_model(int64_t kernel, bool extra_reader, int64_t group = 1) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 2, 5, 5}));
  g.initializers.push_back({"Wa", random_tensor({4, 2, 1, 1}, 1)});
  g.initializers.push_back({"Wb", random_tensor({4, 2, 3, 3}, 2)});
  g.initializers.push_back({"W", random_tensor({6, 8 / group, kernel, kernel}, 3)});
  g.initializers.push_back({"B", random_tensor({6}, 4)});
  g.nodes.push_back(make_node("Conv", {"x", "Wa"}, {"a"}));
  g.nodes.push_back(make_node("Conv", {"x", "Wb"}, {"b"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Concat", {"a", "b"}, {"ab"}, {int_attr("axis", 1)}));
  g.nodes.push_back(make_node("Conv", {"ab", "W", "B"}, {"c"}, {int_attr("group", group)}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"y"}));
  g.outputs = {tensor_value("y", {-1, 6, 5 - kernel + 1, 5 - kernel + 1})};
  if (extra_reader) g.outputs.push_back(tensor_value("ab", {-1, 8, 5, 5}));
  return m;
}

TEST(OptConcatConvSplit, SplitsPointwiseConvAndDropsConcat) {
  Model opt = expect_same_outputs(concat_conv_model(1, false), {random_tensor({2, 2, 5, 5}, 5)});
  EXPECT_EQ(count_ops(opt, "Concat"), 0);
  ASSERT_EQ(count_ops(opt, "FusedConv"), 2);
  const Node& first = opt.graph->nodes[opt.graph->nodes.size() - 2];
  const Node& last = opt.graph->nodes.back();
  EXPECT_EQ(first.inputs[0], "a");
  EXPECT_EQ(first.inputs[2], "B");
  EXPECT_EQ(first.find_attribute("activation")->s, "");
  EXPECT_EQ(last.inputs[0], "b");
  ASSERT_EQ(last.inputs.size(), 4u);
  EXPECT_EQ(last.inputs[2], "");
  EXPECT_EQ(last.inputs[3], first.outputs[0]);
  EXPECT_EQ(last.find_attribute("activation")->s, "Relu");
  EXPECT_EQ(last.outputs[0], "y");
}

TEST(OptConcatConvSplit, KeepsConcatOthersRead) {
  Model opt = expect_same_outputs(concat_conv_model(1, true), {random_tensor({2, 2, 5, 5}, 6)});
  EXPECT_EQ(count_ops(opt, "Concat"), 1);
  EXPECT_EQ(count_ops(opt, "FusedConv"), 2);
}

// A conv with more output than input channels would pass over its larger output once per
// part, for a copy of the smaller input: it keeps the Concat.
TEST(OptConcatConvSplit, LeavesWideningConvs) {
  Model m = concat_conv_model(1, false);
  for (Initializer& init : m.graph->initializers)
    if (init.name == "W") init.tensor = random_tensor({12, 8, 1, 1}, 9);
    else if (init.name == "B") init.tensor = random_tensor({12}, 10);
  m.graph->outputs[0] = tensor_value("y", {-1, 12, 5, 5});
  Model opt = expect_same_outputs(m, {random_tensor({2, 2, 5, 5}, 11)});
  EXPECT_EQ(count_ops(opt, "Concat"), 1);
  EXPECT_EQ(count_ops(opt, "FusedConv"), 1);
}

TEST(OptConcatConvSplit, LeavesSpatialAndGroupedConvs) {
  for (auto [kernel, group] : {std::pair<int64_t, int64_t>{3, 1}, {1, 2}}) {
    Model opt = expect_same_outputs(concat_conv_model(kernel, false, group),
                                    {random_tensor({2, 2, 5, 5}, 7)});
    EXPECT_EQ(count_ops(opt, "Concat"), 1);
    EXPECT_EQ(count_ops(opt, "FusedConv"), 1);
  }
}

// The fast path too: the channels-last layout pass and the oneDNN convs take the parts, the
// last one summing into the first in place.
TEST(OptConcatConvSplit, FastKernelsMatchReference) {
  const Model m = concat_conv_model(1, false);
  Model opt = copy_model(m);
  optimize_model(opt);
  const Tensor x = random_tensor({3, 2, 5, 5}, 8);
  const std::vector<Tensor> want = run_model(m, {x});
  const std::vector<Tensor> got = run_model(opt, {x}, KernelConfig{});
  ASSERT_EQ(got.size(), 1u);
  expect_close(got[0], want[0], 1e-4);
  EXPECT_EQ(count_ops(opt, "Concat"), 0);
}

}  // namespace
}  // namespace infera::testing
