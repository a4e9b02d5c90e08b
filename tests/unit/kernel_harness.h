// Runs one registered kernel on in-memory tensors, without a model file or session: builds the
// node, calls infer() with the inputs' data present, allocates what it declared, and runs.
// For op unit tests; an undefined Tensor marks an omitted optional input.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "attribute_builders.h"
#include "ops/op.h"

namespace infera::testing {

class HarnessInferContext final : public InferContext {
 public:
  HarnessInferContext(const Node& node, const Value* const* inputs, int n_in, int n_out)
      : InferContext(node, inputs, n_in, n_out), shapes(n_out), dtypes(n_out), dynamic(n_out) {}
  bool has_output(int i) const override { return i < num_outputs(); }
  void set_output(int i, DType dtype, Shape shape) override {
    dtypes[i] = dtype;
    shapes[i] = std::move(shape);
  }
  void set_output_constant(int i, Tensor value) override {
    dtypes[i] = value.dtype();
    shapes[i] = value.shape();
  }
  void set_output_dynamic(int i) override { dynamic[i] = true; }
  void set_output_non_tensor(int) override { throw std::logic_error("not supported"); }
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::vector<bool> dynamic;
};

class HarnessRunContext final : public RunContext {
 public:
  HarnessRunContext(const Node& node, std::vector<Value>& inputs, std::vector<Tensor>& outputs)
      : node_(node), inputs_(inputs), outputs_(outputs) {}
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const override {
    return i < num_inputs() && inputs_[i].is_tensor() && inputs_[i].tensor.defined();
  }
  const Value& input_value(int i) const override { return inputs_[i]; }
  int num_outputs() const override { return static_cast<int>(outputs_.size()); }
  bool has_output(int i) const override { return i < num_outputs(); }
  Tensor& output(int i) override { return outputs_[i]; }
  Tensor& allocate_output(int i, DType dtype, const Shape& shape) override {
    outputs_[i] = Tensor::empty(dtype, shape);
    return outputs_[i];
  }
  void set_output_value(int, Value) override { throw std::logic_error("not supported"); }
  std::vector<Value> run_subgraph(const Subgraph&, const std::vector<Value>&) override {
    throw std::logic_error("not supported");
  }
  const Node& node() const override { return node_; }

 private:
  const Node& node_;
  std::vector<Value>& inputs_;
  std::vector<Tensor>& outputs_;
};

inline std::vector<Tensor> run_kernel(const Node& node, int64_t opset,
                                      const std::vector<Tensor>& inputs, int num_outputs) {
  const OpRegistration* reg = find_op(node.domain, node.op_type, opset);
  if (!reg) throw std::runtime_error("no kernel for " + node.op_type);
  KernelInit init(node, opset, nullptr, nullptr);
  auto kernel = reg->factory(init);
  std::vector<Value> values(inputs.begin(), inputs.end());
  std::vector<const Value*> pointers;
  for (const Value& v : values) pointers.push_back(v.tensor.defined() ? &v : nullptr);
  HarnessInferContext ictx(node, pointers.data(), static_cast<int>(pointers.size()), num_outputs);
  kernel->infer(ictx);
  std::vector<Tensor> outputs(static_cast<size_t>(num_outputs));
  for (int i = 0; i < num_outputs; ++i) {
    if (!ictx.dynamic[i]) outputs[i] = Tensor::empty(ictx.dtypes[i], ictx.shapes[i]);
  }
  HarnessRunContext rctx(node, values, outputs);
  kernel->run(rctx);
  return outputs;
}

template <typename T>
Tensor make_tensor(DType dtype, Shape shape, std::vector<T> values) {
  Tensor t = Tensor::empty(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) t.data<T>()[i] = values[i];
  return t;
}

inline Node make_node(const std::string& op, int n_in, int n_out, std::vector<Attribute> attrs,
                      const std::string& domain = "") {
  Node node;
  node.op_type = op;
  node.domain = domain;
  for (int i = 0; i < n_in; ++i) node.inputs.push_back("in" + std::to_string(i));
  for (int i = 0; i < n_out; ++i) node.outputs.push_back("out" + std::to_string(i));
  node.attributes = std::move(attrs);
  return node;
}

}  // namespace infera::testing
