// bf16_activations: in bf16 mode the channels-last convs (and the max pools after them) keep
// bfloat16 tensors between them, with Casts only where the region meets float32 readers.
#include "ops/cpu/onednn_common.h"
#include "opt_test_util.h"

namespace infera::testing {
namespace {

OptimizeOptions with_bf16_activations() {
  OptimizeOptions options;
  options.bf16_activations = true;
  return options;
}

const Tensor& initializer(const Model& m, const std::string& name) {
  for (const Initializer& init : m.graph->initializers)
    if (init.name == name) return init.tensor;
  ADD_FAILURE() << "no initializer " << name;
  static const Tensor none;
  return none;
}

const Node* producer(const Model& m, const std::string& value) {
  for (const Node& node : m.graph->nodes)
    for (const std::string& out : node.outputs)
      if (out == value) return &node;
  return nullptr;
}

// bfloat16 keeps 8 significant bits: after a few layers the outputs are within a couple of
// percent of float32's, measured against the largest output (errors are absolute-ish once
// sums cancel).
void expect_within_bf16(const Tensor& got, const Tensor& want, double tolerance) {
  ASSERT_EQ(got.shape(), want.shape());
  ASSERT_EQ(got.dtype(), DType::kFloat32);
  double scale = 0;
  for (int64_t i = 0; i < want.numel(); ++i)
    scale = std::max(scale, std::abs(static_cast<double>(want.data<float>()[i])));
  ASSERT_GT(scale, 0);
  for (int64_t i = 0; i < want.numel(); ++i)
    ASSERT_LE(std::abs(got.data<float>()[i] - want.data<float>()[i]), tolerance * scale)
        << "at element " << i << " (largest output " << scale << ")";
}

std::vector<Tensor> run_fast_bf16(const Model& model, const std::vector<Tensor>& inputs) {
  KernelConfig fast;
  fast.threads = 2;
  fast.bf16 = true;
  return run_model(model, inputs, fast);
}

// A small ResNet: stem conv + Relu + MaxPool, one bottleneck-like block whose residual is the
// pool's output, then GlobalAveragePool -> Flatten -> Gemm.
Model res_net() {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {-1, 3, 12, 10}));
  g.initializers.push_back({"W1", random_tensor({8, 3, 3, 3}, 1)});
  g.initializers.push_back({"B1", random_tensor({8}, 2)});
  g.initializers.push_back({"Wa", random_tensor({8, 8, 1, 1}, 3, -0.5f, 0.5f)});
  g.initializers.push_back({"Wb", random_tensor({8, 8, 3, 3}, 4, -0.2f, 0.2f)});
  g.initializers.push_back({"Bb", random_tensor({8}, 5)});
  g.initializers.push_back({"Wfc", random_tensor({5, 8}, 6)});
  const Attribute pad1 = ints_attr("pads", {1, 1, 1, 1});
  g.nodes.push_back(make_node("Conv", {"x", "W1", "B1"}, {"c1"}, {pad1}));
  g.nodes.push_back(make_node("Relu", {"c1"}, {"r1"}));
  g.nodes.push_back(
      make_node("MaxPool", {"r1"}, {"p"},
                {ints_attr("kernel_shape", {3, 3}), ints_attr("strides", {2, 2}), pad1}));
  g.nodes.push_back(make_node("Conv", {"p", "Wa"}, {"a"}));
  g.nodes.push_back(make_node("Relu", {"a"}, {"ra"}));
  g.nodes.push_back(make_node("Conv", {"ra", "Wb", "Bb"}, {"b"}, {pad1}));
  g.nodes.push_back(make_node("Add", {"b", "p"}, {"sum"}));
  g.nodes.push_back(make_node("Relu", {"sum"}, {"block"}));
  g.nodes.push_back(make_node("GlobalAveragePool", {"block"}, {"pooled"}));
  g.nodes.push_back(make_node("Flatten", {"pooled"}, {"flat"}));
  g.nodes.push_back(make_node("Gemm", {"flat", "Wfc"}, {"y"}, {int_attr("transB", 1)}));
  g.outputs = {tensor_value("y", {-1, 5})};
  return m;
}

TEST(OptBf16Activations, ConvRegionComputesInBf16WithCastsOnlyAtBorders) {
  const Model m = res_net();
  Model opt = copy_model(m);
  const OptimizeReport report = optimize_model(opt, with_bf16_activations());
  ASSERT_EQ(report.rewrites.back().first, "bf16_activations");
  EXPECT_EQ(report.rewrites.back().second, 4);  // three convs and the max pool
  EXPECT_EQ(count_ops(opt, "Cast"), 2);
  // The input's Transpose; the exit one is folded into the Gemm's weights (Wfc_nhwc).
  EXPECT_EQ(count_ops(opt, "Transpose"), 1);
  int convs = 0;
  for (const Node& node : opt.graph->nodes) {
    if (node.op_type == "FusedConv") {
      ++convs;
      EXPECT_EQ(initializer(opt, node.inputs[1]).dtype(), DType::kBFloat16) << node.name;
      if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
        EXPECT_EQ(initializer(opt, node.inputs[2]).dtype(), DType::kBFloat16) << node.name;
      }
    }
    if (node.op_type == "NhwcMaxPool") {
      const Node* from = producer(opt, node.inputs[0]);
      ASSERT_NE(from, nullptr);
      EXPECT_EQ(from->op_type, "FusedConv");  // no Cast between them
    }
    if (node.op_type == "NhwcGlobalAveragePool") {
      const Node* from = producer(opt, node.inputs[0]);
      ASSERT_NE(from, nullptr);
      EXPECT_EQ(from->op_type, "Cast");
      EXPECT_EQ(from->find_attribute("to")->i, 1);  // back to float32 for the pool
    }
  }
  EXPECT_EQ(convs, 3);
  EXPECT_EQ(opt.graph->outputs[0].name, "y");
  for (const Initializer& init : opt.graph->initializers)  // the float32 weights are dropped
    EXPECT_TRUE(init.name.rfind("Wfc", 0) == 0 || init.tensor.dtype() == DType::kBFloat16)
        << init.name;

  // The reference kernels run the rewritten graph: its bfloat16 storage against float32.
  const std::vector<Tensor> inputs{random_tensor({2, 3, 12, 10}, 7)};
  const std::vector<Tensor> want = run_model(m, inputs);
  const std::vector<Tensor> reference_bf16 = run_model(opt, inputs);
  ASSERT_EQ(reference_bf16.size(), 1u);
  expect_within_bf16(reference_bf16[0], want[0], 2e-2);
  // And so do the oneDNN kernels, where the CPU has bfloat16.
  if (!onednn::cpu_has_bf16()) GTEST_SKIP() << "no AVX512_BF16: the fast bf16 kernels refuse";
  const std::vector<Tensor> fast_bf16 = run_fast_bf16(opt, inputs);
  ASSERT_EQ(fast_bf16.size(), 1u);
  expect_within_bf16(fast_bf16[0], want[0], 2e-2);
  expect_within_bf16(fast_bf16[0], reference_bf16[0], 1e-2);
}

TEST(OptBf16Activations, ValueReadOutsideLeavesThroughACastUnderItsName) {
  // c feeds the next conv (bf16) and is a graph output (float32): one Cast out, named c.
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 4, 6, 6}));
  g.initializers.push_back({"W", random_tensor({4, 4, 3, 3}, 1, -0.3f, 0.3f)});
  const Attribute pad1 = ints_attr("pads", {1, 1, 1, 1});
  g.nodes.push_back(make_node("Conv", {"x", "W"}, {"c"}, {pad1}));
  g.nodes.push_back(make_node("Conv", {"c", "W"}, {"d"}, {pad1}));
  g.outputs = {tensor_value("c", {1, 4, 6, 6}), tensor_value("d", {1, 4, 6, 6})};
  Model opt = copy_model(m);
  optimize_model(opt, with_bf16_activations());
  EXPECT_EQ(count_ops(opt, "Cast"), 3);                             // x in; c and d out
  EXPECT_EQ(initializer(opt, "W_bf16").dtype(), DType::kBFloat16);  // one copy for both convs
  const std::vector<Tensor> inputs{random_tensor({1, 4, 6, 6}, 2)};
  const std::vector<Tensor> want = run_model(m, inputs);
  const std::vector<Tensor> got = run_model(opt, inputs);
  ASSERT_EQ(got.size(), 2u);
  for (size_t k = 0; k < 2; ++k) expect_within_bf16(got[k], want[k], 2e-2);
}

TEST(OptBf16Activations, ResidualComputedAfterItsReaderInNodeOrder) {
  // As torchvision's ResNet exports: the downsample conv z comes after the Add that reads it,
  // so the fused residual conv precedes Z's producer in the node list.
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 4, 6, 6}));
  g.initializers.push_back({"W1", random_tensor({4, 4, 3, 3}, 1, -0.3f, 0.3f)});
  g.initializers.push_back({"W2", random_tensor({4, 4, 1, 1}, 2)});
  g.initializers.push_back({"W3", random_tensor({4, 4, 1, 1}, 3)});
  g.nodes.push_back(make_node("Conv", {"x", "W1"}, {"c"}, {ints_attr("pads", {1, 1, 1, 1})}));
  g.nodes.push_back(make_node("Conv", {"c", "W2"}, {"d"}));
  g.nodes.push_back(make_node("Add", {"d", "z"}, {"y"}));
  g.nodes.push_back(make_node("Conv", {"c", "W3"}, {"z"}));
  g.outputs = {tensor_value("y", {1, 4, 6, 6})};
  Model opt = copy_model(m);
  optimize_model(opt, with_bf16_activations());
  EXPECT_EQ(count_ops(opt, "Cast"), 2);  // x in, y out: z stays bfloat16
  const std::vector<Tensor> inputs{random_tensor({1, 4, 6, 6}, 4)};
  const std::vector<Tensor> want = run_model(m, inputs);
  const std::vector<Tensor> got = run_model(opt, inputs);
  ASSERT_EQ(got.size(), 1u);
  expect_within_bf16(got[0], want[0], 2e-2);
}

TEST(OptBf16Activations, ConvWithNoBf16NeighbourStaysFloat32) {
  // Conv -> Mul by a per-channel constant -> Conv: the Mul stays float32, so each conv would
  // need a Cast in and one out; neither converts.
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {1, 4, 6, 6}));
  g.initializers.push_back({"W", random_tensor({4, 4, 3, 3}, 1)});
  const Attribute pad1 = ints_attr("pads", {1, 1, 1, 1});
  g.nodes.push_back(make_node("Conv", {"x", "W"}, {"c"}, {pad1}));
  g.initializers.push_back({"scale", random_tensor({4, 1, 1}, 3)});
  g.nodes.push_back(make_node("Mul", {"c", "scale"}, {"s"}));
  g.nodes.push_back(make_node("Conv", {"s", "W"}, {"y"}, {pad1}));
  g.outputs = {tensor_value("y", {1, 4, 6, 6})};
  Model opt = expect_same_outputs(m, {random_tensor({1, 4, 6, 6}, 2)}, with_bf16_activations());
  EXPECT_EQ(count_ops(opt, "Cast"), 0);
  EXPECT_EQ(count_ops(opt, "FusedConv"), 2);
}

TEST(OptBf16Activations, OffUnlessAsked) {
  Model opt = copy_model(res_net());
  optimize_model(opt);
  EXPECT_EQ(count_ops(opt, "Cast"), 0);
  for (const Initializer& init : opt.graph->initializers)
    EXPECT_NE(init.tensor.dtype(), DType::kBFloat16) << init.name;
}

}  // namespace
}  // namespace infera::testing
