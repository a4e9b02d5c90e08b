// flatten_transpose_into_gemm: the NHWC -> NCHW Transpose that the channels-last layout pass
// leaves before Flatten and Gemm goes away, B's rows (or columns) permuted instead. The
// optimized graph must give what the unoptimized one gives, with B as [M, K] and as [K, M].
#include "opt_test_util.h"

namespace infera::testing {
namespace {

// x [N, 2, 6, 5] -> Conv (3 channels, 3x3, pad 1) -> Relu -> Flatten -> Gemm (4 outputs).
Model conv_classifier(bool trans_b, bool flatten_read_twice = false) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 2, 6, 5}));
  g.initializers.push_back({"W", random_tensor({3, 2, 3, 3}, 1)});
  g.initializers.push_back({"Wfc", random_tensor(trans_b ? Shape{4, 90} : Shape{90, 4}, 2)});
  g.initializers.push_back({"Bfc", random_tensor({4}, 3)});
  g.nodes.push_back(make_node("Conv", {"x", "W"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
  g.nodes.push_back(make_node("Flatten", {"r"}, {"flat"}));
  g.nodes.push_back(
      make_node("Gemm", {"flat", "Wfc", "Bfc"}, {"y"}, {int_attr("transB", trans_b ? 1 : 0)}));
  g.outputs = {tensor_value("y", {-1, 4})};
  if (flatten_read_twice) g.outputs.push_back(tensor_value("flat", {-1, 90}));
  return m;
}

TEST(OptFlattenTransposeIntoGemm, PermutesBInsteadOfTheFeatures) {
  for (bool trans_b : {true, false}) {
    SCOPED_TRACE(trans_b ? "B [M, K]" : "B [K, M]");
    Model opt = expect_same_outputs(conv_classifier(trans_b), {random_tensor({3, 2, 6, 5}, 4)}, {});
    // Only the Transpose into the channels-last region is left.
    EXPECT_EQ(count_ops(opt, "Transpose"), 1);
    EXPECT_EQ(count_ops(opt, "Flatten"), 1);
  }
}

TEST(OptFlattenTransposeIntoGemm, KeepsTheTransposeWhenTheFeaturesAreReadElsewhere) {
  Model opt =
      expect_same_outputs(conv_classifier(true, true), {random_tensor({2, 2, 6, 5}, 5)}, {});
  EXPECT_EQ(count_ops(opt, "Transpose"), 2);
}

}  // namespace
}  // namespace infera::testing
