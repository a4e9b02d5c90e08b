// matmul_transpose_fusion: Transposes around MatMuls fold into FusedMatMul's a_perm, b_perm
// and y_perm. The fused graph must give the unfused graph's outputs on the reference kernels
// and on the fast (oneDNN, strided) ones.
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// Attention over [seq 9, heads 3, dim 16] as PyTorch exports it: heads split out by
// Transposes, K transposed for Q @ K^T, the result joined back by a Transpose.
Model attention_model() {
  Model m = make_model();
  Graph& g = *m.graph;
  for (const char* name : {"q", "k", "v"}) g.inputs.push_back(tensor_value(name, {9, 3, 16}));
  g.nodes.push_back(make_node("Transpose", {"q"}, {"qh"}, {ints_attr("perm", {1, 0, 2})}));
  g.nodes.push_back(make_node("Transpose", {"k"}, {"kt"}, {ints_attr("perm", {1, 2, 0})}));
  g.nodes.push_back(make_node("Transpose", {"v"}, {"vh"}, {ints_attr("perm", {1, 0, 2})}));
  g.nodes.push_back(make_node("MatMul", {"qh", "kt"}, {"scores"}));
  g.nodes.push_back(make_node("Softmax", {"scores"}, {"weights"}));
  g.nodes.push_back(make_node("MatMul", {"weights", "vh"}, {"heads"}));
  g.nodes.push_back(make_node("Transpose", {"heads"}, {"y"}, {ints_attr("perm", {1, 0, 2})}));
  g.outputs = {tensor_value("y", {9, 3, 16})};
  return m;
}

std::vector<Tensor> attention_inputs() {
  return {random_tensor({9, 3, 16}, 1), random_tensor({9, 3, 16}, 2),
          random_tensor({9, 3, 16}, 3)};
}

TEST(OptMatMulTransposeFusion, AttentionLosesEveryTranspose) {
  const Model m = attention_model();
  Model opt = expect_same_outputs(m, attention_inputs());
  EXPECT_EQ(count_ops(opt, "Transpose"), 0);
  ASSERT_EQ(count_ops(opt, "FusedMatMul"), 2);
  const Node& scores = opt.graph->nodes[0];
  EXPECT_EQ(scores.inputs, (std::vector<std::string>{"q", "k"}));
  EXPECT_EQ(scores.find_attribute("a_perm")->ints, (std::vector<int64_t>{1, 0, 2}));
  EXPECT_EQ(scores.find_attribute("b_perm")->ints, (std::vector<int64_t>{1, 2, 0}));
  const Node& heads = opt.graph->nodes[2];
  EXPECT_EQ(heads.outputs[0], "y");
  EXPECT_EQ(heads.find_attribute("y_perm")->ints, (std::vector<int64_t>{1, 0, 2}));
  // The fast kernels read and write through strides: the same numbers.
  const std::vector<Tensor> want = run_model(m, attention_inputs());
  const std::vector<Tensor> got = run_model(opt, attention_inputs(), KernelConfig{});
  expect_close(got[0], want[0]);
}

TEST(OptMatMulTransposeFusion, LeavesSharedStridedOrBroadcastTransposes) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {4, 5, 6}));
  g.inputs.push_back(tensor_value("z", {6, 4, 3}));
  g.inputs.push_back(tensor_value("b", {6, 7}));
  // Also a graph output: the Transpose stays.
  g.nodes.push_back(make_node("Transpose", {"x"}, {"a"}, {ints_attr("perm", {0, 2, 1})}));
  g.nodes.push_back(make_node("MatMul", {"a", "x"}, {"p"}));
  // A's innermost dim moves to the batch: neither matrix dim keeps a unit stride.
  g.nodes.push_back(make_node("Transpose", {"x"}, {"xt"}, {ints_attr("perm", {2, 1, 0})}));
  g.nodes.push_back(make_node("MatMul", {"xt", "z"}, {"q"}));
  // B is broadcast over the batch.
  g.nodes.push_back(make_node("Transpose", {"x"}, {"w"}, {ints_attr("perm", {1, 0, 2})}));
  g.nodes.push_back(make_node("MatMul", {"w", "b"}, {"r"}));
  g.outputs = {tensor_value("p", {4, 6, 6}), tensor_value("a", {4, 6, 5}),
               tensor_value("q", {6, 5, 3}), tensor_value("r", {5, 4, 7})};
  Model opt = expect_same_outputs(m, {random_tensor({4, 5, 6}, 1), random_tensor({6, 4, 3}, 2),
                                      random_tensor({6, 7}, 3)});
  EXPECT_EQ(count_ops(opt, "Transpose"), 3);
  EXPECT_EQ(count_ops(opt, "FusedMatMul"), 0);
}

}  // namespace
}  // namespace infera::testing
