#include "runtime/compiled_graph.h"

#include <queue>

#include "core/deferred_bytes.h"

namespace infera {

bool OuterScope::contains(const std::string& name) const {
  for (const OuterScope* s = this; s; s = s->parent)
    if (s->names && s->names->count(name)) return true;
  return false;
}

namespace {

class GraphCompiler {
 public:
  GraphCompiler(std::shared_ptr<const Graph> graph, const Model& model, const OuterScope* outer,
                const KernelConfig* config)
      : graph_(std::move(graph)), model_(model), outer_(outer), config_(config) {
    out_ = std::make_shared<Subgraph>();
    out_->graph = graph_;
  }

  std::shared_ptr<Subgraph> compile() {
    declare_values();
    std::vector<CompiledNode> unordered;
    unordered.reserve(graph_->nodes.size());
    for (const Node& node : graph_->nodes) unordered.push_back(bind_node(node));
    out_->nodes = topological_order(std::move(unordered));
    for (const ValueInfo& vi : graph_->outputs) {
      out_->outputs.push_back(resolve(vi.name, "graph output"));
      out_->output_infos.push_back(vi);
    }
    return out_;
  }

 private:
  int add_value(const std::string& name) {
    const int id = static_cast<int>(out_->values.size());
    out_->values.push_back(ValueSlot{name, false, {}});
    if (!name.empty()) ids_[name] = id;
    return id;
  }

  void declare_values() {
    for (const Initializer& init : graph_->initializers) {
      if (ids_.count(init.name))
        throw Error(ErrorKind::kInvalidModel, "initializer '" + init.name + "' is declared twice");
      const int id = add_value(init.name);
      out_->values[id].is_constant = true;
      out_->values[id].constant = Value(init.tensor);
    }
    for (const ValueInfo& vi : graph_->inputs) {
      if (ids_.count(vi.name)) continue;  // an initializer listed as input: a constant
      out_->inputs.push_back(add_value(vi.name));
      out_->input_infos.push_back(vi);
    }
    for (const Node& node : graph_->nodes) {
      for (const std::string& name : node.outputs) {
        if (name.empty()) continue;
        if (ids_.count(name))
          throw Error(ErrorKind::kInvalidModel,
                      node.describe() + ": output '" + name + "' is already defined elsewhere");
        add_value(name);
      }
    }
  }

  // The id of `name`, creating an outer-scope reference when an enclosing graph defines it.
  int resolve(const std::string& name, const std::string& user) {
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    if (outer_ && outer_->contains(name)) {
      const int id = add_value(name);
      out_->outer_refs.push_back(id);
      out_->outer_names.push_back(name);
      return id;
    }
    throw Error(ErrorKind::kInvalidModel,
                user + " uses '" + name + "', which no node, input or initializer defines");
  }

  CompiledNode bind_node(const Node& node) {
    CompiledNode cn;
    cn.node = &node;
    for (const std::string& name : node.inputs)
      cn.inputs.push_back(name.empty() ? -1 : resolve(name, node.describe()));
    for (const std::string& name : node.outputs)
      cn.outputs.push_back(name.empty() ? -1 : ids_.at(name));

    const int64_t opset = model_.opset_for(node.domain);
    if (opset <= 0)
      throw Error(ErrorKind::kInvalidModel,
                  node.describe() + ": the model imports no opset for domain '" +
                      (node.domain.empty() ? "ai.onnx" : node.domain) + "'");
    const OpRegistration* reg = find_op(node.domain, node.op_type, opset);
    if (!reg) {
      throw Error(ErrorKind::kUnsupported,
                  node.describe() + ": operator " +
                      (node.domain.empty() ? std::string() : node.domain + ".") + node.op_type +
                      " (opset " + std::to_string(opset) + ") is not supported");
    }
    OuterScope here{outer_, &ids_};
    std::vector<std::string> captured;
    auto compile_sub = [&](const Graph& g) -> std::shared_ptr<const Subgraph> {
      // Attribute graphs live as long as the node, which the model keeps alive.
      std::shared_ptr<const Graph> alias(graph_, &g);
      auto sub = compile_graph(alias, model_, &here, config_);
      for (const std::string& n : sub->outer_names) captured.push_back(n);
      return sub;
    };
    auto constant = [&](int i) -> const Tensor* {
      const ValueSlot& slot = out_->values[cn.inputs[i]];
      return slot.is_constant && slot.constant.is_tensor() ? &slot.constant.tensor : nullptr;
    };
    KernelInit init(node, opset, &model_, compile_sub, constant, config_);
    if (!config_ || !config_->reference_only) {
      for (const OpRegistration* variant : find_op_variants(node.domain, node.op_type, opset)) {
        if (variant->priority == 0) break;
        if ((cn.kernel = variant->factory(init))) break;
      }
    }
    if (!cn.kernel) cn.kernel = reg->factory(init);
    for (const std::string& name : captured) {
      const int id = resolve(name, node.describe());
      bool seen = false;
      for (int existing : cn.implicit_inputs) seen |= existing == id;
      if (!seen) cn.implicit_inputs.push_back(id);
    }
    return cn;
  }

  // Kahn's algorithm, stable with respect to file order; a cycle is a malformed model.
  std::vector<CompiledNode> topological_order(std::vector<CompiledNode> nodes) {
    const size_t n_values = out_->values.size();
    std::vector<int> producer(n_values, -1);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (int v : nodes[i].outputs)
        if (v >= 0) producer[v] = static_cast<int>(i);
    std::vector<int> pending(nodes.size(), 0);
    std::vector<std::vector<int>> consumers(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      auto count = [&](int v) {
        if (v >= 0 && producer[v] >= 0) {
          ++pending[i];
          consumers[producer[v]].push_back(static_cast<int>(i));
        }
      };
      for (int v : nodes[i].inputs) count(v);
      for (int v : nodes[i].implicit_inputs) count(v);
    }
    std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
    for (size_t i = 0; i < nodes.size(); ++i)
      if (pending[i] == 0) ready.push(static_cast<int>(i));
    std::vector<CompiledNode> ordered;
    ordered.reserve(nodes.size());
    std::vector<bool> done(nodes.size(), false);
    while (!ready.empty()) {
      const int i = ready.top();
      ready.pop();
      done[i] = true;
      for (int c : consumers[i])
        if (--pending[c] == 0) ready.push(c);
      ordered.push_back(std::move(nodes[i]));
    }
    if (ordered.size() != nodes.size()) {
      for (size_t i = 0; i < nodes.size(); ++i)
        if (!done[i])
          throw Error(ErrorKind::kInvalidModel,
                      nodes[i].node->describe() + " is part of a cycle in the graph");
    }
    return ordered;
  }

  std::shared_ptr<const Graph> graph_;
  const Model& model_;
  const OuterScope* outer_;
  const KernelConfig* config_;
  std::shared_ptr<Subgraph> out_;
  std::unordered_map<std::string, int> ids_;
};

}  // namespace

void materialize_constants(const Subgraph& graph) {
  std::vector<bool> read_directly(graph.values.size(), false);
  for (const CompiledNode& cn : graph.nodes) {
    for (size_t i = 0; i < cn.inputs.size(); ++i)
      if (cn.inputs[i] >= 0 && !cn.kernel->reads_deferred_input(static_cast<int>(i)))
        read_directly[cn.inputs[i]] = true;
    for (int v : cn.implicit_inputs) read_directly[v] = true;
  }
  for (int v : graph.outputs) read_directly[v] = true;
  for (size_t v = 0; v < graph.values.size(); ++v) {
    const ValueSlot& slot = graph.values[v];
    if (slot.is_constant && slot.constant.is_tensor() && read_directly[v])
      materialize(slot.constant.tensor);
  }
}

std::shared_ptr<Subgraph> compile_graph(std::shared_ptr<const Graph> graph, const Model& model,
                                        const OuterScope* outer, const KernelConfig* config) {
  return GraphCompiler(std::move(graph), model, outer, config).compile();
}

}  // namespace infera
