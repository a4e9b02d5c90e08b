// Constant folding at load: a node whose inputs are all initializers (or that has none, like
// Constant) is run once with its reference kernel and replaced by initializers holding its
// outputs. The node is compiled alone into a one-node graph and run through the ordinary
// prepare/execute path, so folding computes exactly what the engine would at run time.
//
// Not folded: random generators (OpKernel::foldable() is false), nodes with graph attributes,
// nodes producing graph outputs or non-tensor values, and outputs over 16 MB (folding
// Expand/Tile/ConstantOfShape would trade a cheap op for a big weight).
//
// Shape computations that depend on a graph input (Shape -> Gather -> Concat -> Reshape) are
// not constants at load; the executor folds them per input-shape signature when it prepares a
// plan (see runtime/executor.h), which covers dynamic batch sizes too, so no load-time shape
// folding is done here.
#include <functional>
#include <unordered_map>

#include "opt/rewrite.h"
#include "runtime/compiled_graph.h"
#include "runtime/executor.h"

namespace infera {

namespace {

constexpr size_t kMaxFoldedBytes = size_t{16} << 20;

// Runs `node` on the constants in `graph` and returns its outputs, or nothing when it should
// not be folded.
using ConstantOf = std::function<const Tensor*(const std::string&)>;

std::vector<Tensor> evaluate_node(const Node& node, const ConstantOf& constant_of,
                                  const Model& model) {
  auto single = std::make_shared<Graph>();
  single->nodes.push_back(node);
  for (const std::string& name : node.inputs) {
    if (name.empty()) continue;
    bool listed = false;
    for (const Initializer& init : single->initializers) listed |= init.name == name;
    if (!listed) single->initializers.push_back(Initializer{name, *constant_of(name)});
  }
  for (const std::string& name : node.outputs)
    if (!name.empty()) single->outputs.push_back(ValueInfo{name, {}});
  KernelConfig config;
  config.reference_only = true;
  config.threads = 1;
  std::shared_ptr<Subgraph> compiled = compile_graph(single, model, nullptr, &config);
  if (compiled->nodes.size() != 1 || !compiled->nodes[0].kernel->foldable()) return {};
  std::shared_ptr<Plan> plan = prepare_plan(compiled, {}, config);
  for (int id : compiled->outputs) {
    const Value& planned = plan->value_template[id];
    if (planned.is_tensor() && planned.tensor.defined() &&
        planned.tensor.nbytes() > kMaxFoldedBytes)
      return {};
  }
  std::vector<Value> results = execute_plan(*plan, {});
  std::vector<Tensor> tensors;
  for (Value& v : results) {
    if (!v.is_tensor() || !v.tensor.defined() || v.tensor.nbytes() > kMaxFoldedBytes) return {};
    tensors.push_back(std::move(v.tensor));
  }
  return tensors;
}

class ConstantFoldingRule final : public RewriteRule {
 public:
  std::string name() const override { return "constant_folding"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    // Outputs folded in this pass, so a chain of constant nodes folds in one pass (file order
    // is topological in practice; the fixed-point loop catches the rest).
    std::unordered_map<std::string, Tensor> folded;
    const ConstantOf constant_of = [&](const std::string& name) -> const Tensor* {
      auto it = folded.find(name);
      return it != folded.end() ? &it->second : index.initializer(name);
    };
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      if (!foldable_here(node, index, constant_of)) continue;
      std::vector<Tensor> values;
      try {
        values = evaluate_node(node, constant_of, model);
      } catch (const std::exception&) {
        continue;  // a malformed node: leave it for the compile step to report
      }
      if (values.empty()) continue;
      size_t k = 0;
      for (const std::string& name : node.outputs)
        if (!name.empty()) folded[name] = std::move(values[k++]);
      dead[i] = true;
      ++rewrites;
    }
    // Added after the loop: pushing into graph.initializers would move the tensors the index
    // points at.
    for (auto& [name, tensor] : folded) graph.initializers.push_back(Initializer{name, tensor});
    if (rewrites) erase_nodes(graph, dead);
    return rewrites;
  }

 private:
  static bool foldable_here(const Node& node, const GraphIndex& index,
                            const ConstantOf& constant_of) {
    if (has_subgraph(node) || node.outputs.empty()) return false;
    for (const std::string& name : node.inputs)
      if (!name.empty() && !constant_of(name)) return false;
    bool any_output = false;
    for (const std::string& name : node.outputs) {
      if (name.empty()) continue;
      if (index.is_graph_output(name) || index.initializer_meta(name)) return false;
      any_output = true;
    }
    return any_output;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_constant_folding_rule() {
  return std::make_unique<ConstantFoldingRule>();
}

}  // namespace infera
