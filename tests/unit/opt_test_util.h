// Shared by the tests of the graph rewrites (tests/unit/opt_*_test.cpp): build a small model
// by hand, run it with and without optimize_model() on the reference kernels (so only the
// graph differs), and compare.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "attribute_builders.h"
#include "opt/rewrite.h"
#include "runtime/compiled_graph.h"
#include "runtime/executor.h"

namespace infera::testing {

inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

inline ValueInfo tensor_value(const std::string& name, const Shape& shape) {
  ValueInfo vi;
  vi.name = name;
  vi.type.kind = TypeInfo::Kind::kTensor;
  vi.type.elem_type = DType::kFloat32;
  vi.type.has_shape = true;
  for (int64_t d : shape) vi.type.dims.push_back(Dim{d, d < 0 ? "batch" : ""});
  return vi;
}

inline Node make_node(const std::string& op, std::vector<std::string> inputs,
                      std::vector<std::string> outputs, std::vector<Attribute> attrs = {}) {
  Node n;
  n.op_type = op;
  n.name = outputs.empty() ? op : op + "_" + outputs[0];
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  n.attributes = std::move(attrs);
  return n;
}

inline Model make_model(int64_t opset = 17) {
  Model m;
  m.ir_version = 8;
  m.opsets.push_back(OpsetImport{"", opset});
  m.graph = std::make_shared<Graph>();
  return m;
}

// A deep enough copy: the rewrites replace nodes and add initializers, never edit tensors.
inline Model copy_model(const Model& m) {
  Model c = m;
  c.graph = std::make_shared<Graph>(*m.graph);
  return c;
}

// Runs `model` on the reference kernels, or on the kernels `config` chooses.
inline std::vector<Tensor> run_model(const Model& model, const std::vector<Tensor>& inputs,
                                     const KernelConfig& config = {.reference_only = true}) {
  auto compiled = compile_graph(model.graph, model, nullptr, &config);
  std::vector<Value> values(inputs.begin(), inputs.end());
  auto plan = prepare_plan(compiled, values, config);
  std::vector<Tensor> out;
  for (Value& v : execute_plan(*plan, values)) out.push_back(std::move(v.tensor));
  return out;
}

inline int count_ops(const Model& m, const std::string& op) {
  int n = 0;
  for (const Node& node : m.graph->nodes) n += node.op_type == op;
  return n;
}

inline void expect_close(const Tensor& got, const Tensor& want, double rel = 1e-5) {
  ASSERT_EQ(got.shape(), want.shape());
  ASSERT_EQ(got.dtype(), DType::kFloat32);
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double a = got.data<float>()[i], b = want.data<float>()[i];
    ASSERT_LE(std::abs(a - b), rel * std::max(1.0, std::abs(b))) << "at element " << i;
  }
}

// The fusion rules' tests check the fused graph as it is before the channels-last layout pass
// rewrites it; that pass has its own test (opt_channels_last_layout_test.cpp).
inline OptimizeOptions fusions_only() {
  OptimizeOptions options;
  options.channels_last = false;
  return options;
}

// Runs `model` unoptimized and optimized on `inputs`, expects the same outputs, and returns
// the optimized model for checks on its nodes.
inline Model expect_same_outputs(const Model& model, const std::vector<Tensor>& inputs,
                                 const OptimizeOptions& options = fusions_only()) {
  Model optimized = copy_model(model);
  optimize_model(optimized, options);
  const std::vector<Tensor> want = run_model(model, inputs);
  const std::vector<Tensor> got = run_model(optimized, inputs);
  EXPECT_EQ(got.size(), want.size());
  for (size_t k = 0; k < want.size() && k < got.size(); ++k) expect_close(got[k], want[k]);
  return optimized;
}

}  // namespace infera::testing
