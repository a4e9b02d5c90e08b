#include "opt/rewrite.h"

#include <functional>

#include "core/deferred_bytes.h"
#include "runtime/compiled_graph.h"
#include "runtime/executor.h"

namespace infera {

namespace {

// Names a subgraph reads (recursively), to protect them from rewrites of the outer graph.
void collect_subgraph_reads(const Graph& graph, std::unordered_set<std::string>& out) {
  for (const Node& node : graph.nodes) {
    for (const std::string& name : node.inputs)
      if (!name.empty()) out.insert(name);
    for (const Attribute& a : node.attributes) {
      if (a.g) collect_subgraph_reads(*a.g, out);
      for (const auto& g : a.graphs)
        if (g) collect_subgraph_reads(*g, out);
    }
  }
  for (const ValueInfo& vi : graph.outputs) out.insert(vi.name);
}

const std::vector<int> kNoConsumers;

}  // namespace

GraphIndex::GraphIndex(const Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (const std::string& name : node.outputs)
      if (!name.empty()) producer_[name] = static_cast<int>(i);
    for (const std::string& name : node.inputs) {
      if (name.empty()) continue;
      ++reads_[name];
      std::vector<int>& users = consumers_[name];
      if (users.empty() || users.back() != static_cast<int>(i))
        users.push_back(static_cast<int>(i));
    }
    for (const Attribute& a : node.attributes) {
      if (a.g) collect_subgraph_reads(*a.g, subgraph_uses_);
      for (const auto& g : a.graphs)
        if (g) collect_subgraph_reads(*g, subgraph_uses_);
    }
  }
  for (const Initializer& init : graph.initializers) initializer_[init.name] = init.tensor;
  for (const ValueInfo& vi : graph.outputs) graph_outputs_.insert(vi.name);
}

int GraphIndex::producer(const std::string& name) const {
  auto it = producer_.find(name);
  return it == producer_.end() ? -1 : it->second;
}

const std::vector<int>& GraphIndex::consumers(const std::string& name) const {
  auto it = consumers_.find(name);
  return it == consumers_.end() ? kNoConsumers : it->second;
}

bool GraphIndex::has_single_consumer(const std::string& name) const {
  auto it = reads_.find(name);
  return it != reads_.end() && it->second == 1 && !is_graph_output(name) && !used_by_subgraph(name);
}

bool GraphIndex::read_outside(const std::string& name, const std::vector<bool>& inside) const {
  if (is_graph_output(name) || used_by_subgraph(name)) return true;
  for (int c : consumers(name))
    if (!inside[c]) return true;
  return false;
}

const Tensor* GraphIndex::initializer(const std::string& name) const {
  const Tensor* t = initializer_meta(name);
  if (t) materialize(*t);
  return t;
}

const Tensor* GraphIndex::initializer_meta(const std::string& name) const {
  auto it = initializer_.find(name);
  return it == initializer_.end() ? nullptr : &it->second;
}

ValueNamer::ValueNamer(const Graph& graph) {
  for (const Initializer& init : graph.initializers) taken_.insert(init.name);
  for (const ValueInfo& vi : graph.inputs) taken_.insert(vi.name);
  for (const Node& node : graph.nodes)
    for (const std::string& name : node.outputs) taken_.insert(name);
}

std::string ValueNamer::fresh(const std::string& hint) {
  std::string name = hint;
  for (int k = 1; taken_.count(name); ++k) name = hint + "_" + std::to_string(k);
  taken_.insert(name);
  return name;
}

void erase_nodes(Graph& graph, const std::vector<bool>& dead) {
  std::vector<Node> kept;
  kept.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!dead[i]) kept.push_back(std::move(graph.nodes[i]));
  graph.nodes = std::move(kept);
}

void replace_nodes(Graph& graph, std::vector<std::vector<Node>>& with,
                   const std::vector<bool>& replaced) {
  std::vector<Node> nodes;
  nodes.reserve(graph.nodes.size());
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!replaced[i]) {
      nodes.push_back(std::move(graph.nodes[i]));
      continue;
    }
    for (Node& node : with[i]) nodes.push_back(std::move(node));
  }
  graph.nodes = std::move(nodes);
}

std::string add_initializer(Graph& graph, const std::string& hint, Tensor tensor) {
  std::string name = ValueNamer(graph).fresh(hint);
  graph.initializers.push_back(Initializer{name, std::move(tensor)});
  return name;
}

int64_t int_attribute(const Node& node, const std::string& name, int64_t fallback) {
  const Attribute* a = node.find_attribute(name);
  return a ? a->i : fallback;
}

Attribute ints_attribute(const std::string& name, std::vector<int64_t> values) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Type::kInts;
  a.ints = std::move(values);
  return a;
}

Attribute string_attribute(const std::string& name, const std::string& value) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Type::kString;
  a.s = value;
  return a;
}

Attribute floats_attribute(const std::string& name, std::vector<float> values) {
  Attribute a;
  a.name = name;
  a.type = Attribute::Type::kFloats;
  a.floats = std::move(values);
  return a;
}

void import_infera_domain(Model& model) {
  if (model.opset_for("com.infera") <= 0) model.opsets.push_back(OpsetImport{"com.infera", 1});
}

int finish_fusions(Model& model, Graph& graph, const std::vector<bool>& dead, int rewrites) {
  if (rewrites) {
    erase_nodes(graph, dead);
    import_infera_domain(model);
  }
  return rewrites;
}

bool has_subgraph(const Node& node) {
  for (const Attribute& a : node.attributes)
    if (a.g || !a.graphs.empty()) return true;
  return false;
}

std::unordered_map<std::string, Shape> infer_value_shapes(const Model& model, int64_t probe) {
  std::unordered_map<std::string, Shape> shapes;
  try {
    KernelConfig config;
    config.reference_only = true;
    config.threads = 1;
    std::shared_ptr<Subgraph> compiled = compile_graph(model.graph, model, nullptr, &config);
    std::vector<Value> inputs;
    for (const ValueInfo& vi : compiled->input_infos) {
      if (vi.type.kind != TypeInfo::Kind::kTensor || !vi.type.has_shape) return {};
      Shape shape;
      for (const Dim& d : vi.type.dims) shape.push_back(d.value >= 0 ? d.value : probe);
      inputs.push_back(Value(Tensor::meta(vi.type.elem_type, shape)));
    }
    std::shared_ptr<Plan> plan = prepare_plan(compiled, inputs, config);
    // The plan keeps metadata for constants and arena values only; inputs are the caller's.
    for (size_t k = 0; k < inputs.size(); ++k)
      shapes[compiled->values[compiled->inputs[k]].name] = inputs[k].tensor.shape();
    for (size_t id = 0; id < plan->value_template.size(); ++id) {
      const Value& v = plan->value_template[id];
      if (v.is_tensor() && v.tensor.defined() && !compiled->values[id].name.empty())
        shapes[compiled->values[id].name] = v.tensor.shape();
    }
  } catch (const Error&) {
    return {};  // the compile step will report what is wrong with the model
  }
  return shapes;
}

OptimizeReport optimize_model(Model& model, const OptimizeOptions& options) {
  OptimizeReport report;
  if (!model.graph) return report;
  Graph& graph = *model.graph;
  report.nodes_before = static_cast<int>(graph.nodes.size());
  std::vector<std::unique_ptr<RewriteRule>> rules;
  rules.push_back(make_drop_identity_rule());
  rules.push_back(make_constant_folding_rule());
  rules.push_back(make_conv_bn_fusion_rule());
  rules.push_back(make_matmul_bias_fusion_rule());
  rules.push_back(make_residual_add_fusion_rule());
  rules.push_back(make_activation_fusion_rule());
  for (const auto& rule : rules) report.rewrites.emplace_back(rule->name(), 0);
  // Each round can only shrink or fuse the graph, so a handful of rounds reaches the fixed
  // point; the bound guards against two rules undoing each other.
  constexpr int kMaxRounds = 8;
  for (int round = 0; round < kMaxRounds; ++round) {
    int changed = 0;
    for (size_t r = 0; r < rules.size(); ++r) {
      const int n = rules[r]->apply(graph, model);
      report.rewrites[r].second += n;
      changed += n;
    }
    if (changed == 0) break;
  }
  // Once the products have their bias and activation: it infers every value's shape.
  std::unique_ptr<RewriteRule> matmul_transpose = make_matmul_transpose_fusion_rule();
  report.rewrites.emplace_back(matmul_transpose->name(), matmul_transpose->apply(graph, model));
  // A pool moves before its channel Concat so that the split finds the Concat next to the conv
  // that reads it; both once the convs have their activations (the split moves it to the
  // last part).
  std::unique_ptr<RewriteRule> pool_first = make_pool_before_concat_rule();
  report.rewrites.emplace_back(pool_first->name(), pool_first->apply(graph, model));
  std::unique_ptr<RewriteRule> concat_split = make_concat_conv_split_rule();
  report.rewrites.emplace_back(concat_split->name(), concat_split->apply(graph, model));
  // The layout pass renames the fused ops' data flow to channels-last ops the other rules do
  // not know, so it comes last, once; then the rules that match the NHWC ops it makes.
  if (options.channels_last) {
    for (auto& rule :
         {make_channels_last_layout_rule(), make_conv_max_pool_fusion_rule(options.bf16),
          make_flatten_transpose_into_gemm_rule()})
      report.rewrites.emplace_back(rule->name(), rule->apply(graph, model));
    if (options.bf16_activations) {
      std::unique_ptr<RewriteRule> bf16 = make_bf16_activations_rule();
      report.rewrites.emplace_back(bf16->name(), bf16->apply(graph, model));
    }
  }
  report.nodes_after = static_cast<int>(graph.nodes.size());
  return report;
}

}  // namespace infera
