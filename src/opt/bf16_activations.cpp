// bfloat16 activations between the convolutions of a channels-last region (bf16 mode).
//
// In bf16 mode the oneDNN convolutions compute in bfloat16 anyway; with float32 tensors between
// them, each conv converted its input on entry and wrote a float32 output, twice the bytes of a
// bfloat16 one. This rule makes the region's convolutions, and the max pools reading them,
// bfloat16 ops end to end: X, W, B, Z and Y are all bfloat16, so the graph's types stay honest
// and the reference kernels compute the same graph (float accumulators, bfloat16 storage).
// A Cast enters bfloat16 where a float32 value flows in, and one leaves it, under the value's
// original name, where anything else (or a graph output) reads a bfloat16 value.
//
// A conv with no bfloat16 neighbour (its inputs come from no such op and none of its readers is
// one) stays float32: converting there would only add two Casts.
//
// Runs after channels_last_layout, and only when the session computes in bf16 on a CPU that has
// native bfloat16 dot products (OptimizeOptions::bf16_activations).
#include <algorithm>
#include <cstring>
#include <optional>

#include "core/deferred_bytes.h"
#include "ops/cast_elements.h"
#include "opt/rewrite.h"

namespace infera {
namespace {

// ONNX TensorProto codes for Cast's `to`.
constexpr int64_t kOnnxFloat = 1;
constexpr int64_t kOnnxBFloat16 = 16;

bool is_float32_initializer(const GraphIndex& index, const std::string& name) {
  const Tensor* t = index.initializer_meta(name);
  return t && t->dtype() == DType::kFloat32;
}

bool is_channels_last_conv(const Node& node, const GraphIndex& index) {
  if (node.op_type != "FusedConv" || node.domain != "com.infera" || node.outputs.size() != 1)
    return false;
  const Attribute* layout = node.find_attribute("channels_last");
  if (!layout || layout->i != 1 || node.inputs.size() < 2) return false;
  const bool has_bias = node.inputs.size() > 2 && !node.inputs[2].empty();
  return is_float32_initializer(index, node.inputs[1]) &&
         (!has_bias || is_float32_initializer(index, node.inputs[2]));
}

bool is_channels_last_max_pool(const Node& node) {
  return node.op_type == "NhwcMaxPool" && node.domain == "com.infera" && node.outputs.size() == 1;
}

// The inputs holding activations (the rest are weights): X, and FusedConv's residual Z.
std::vector<size_t> data_inputs(const Node& node) {
  std::vector<size_t> data{0};
  if (node.op_type == "FusedConv" && node.inputs.size() > 3 && !node.inputs[3].empty())
    data.push_back(3);
  return data;
}

class Bf16ActivationsRule final : public RewriteRule {
 public:
  std::string name() const override { return "bf16_activations"; }

  int apply(Graph& graph, Model&) override {
    const GraphIndex index(graph);
    const std::vector<bool> bf16 = choose_nodes(graph, index);
    int rewrites = 0;
    for (bool b : bf16) rewrites += b;
    if (rewrites == 0) return 0;
    names_.emplace(graph);
    // Named up front: the node list need not be in topological order (a fused residual conv
    // may come before the conv that computes its Z).
    for (size_t i = 0; i < graph.nodes.size(); ++i)
      if (bf16[i]) {
        const std::string& out = graph.nodes[i].outputs[0];
        bf16_values_[out] = unique_name(out + "_bf16");
      }

    std::vector<Node> nodes;
    nodes.reserve(graph.nodes.size() + 8);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      Node node = std::move(graph.nodes[i]);
      if (!bf16[i]) {
        nodes.push_back(std::move(node));
        continue;
      }
      for (size_t k : data_inputs(node)) node.inputs[k] = bf16_input(node.inputs[k], nodes);
      for (size_t k = 1; k < node.inputs.size() && k < 3 && node.op_type == "FusedConv"; ++k)
        if (!node.inputs[k].empty()) node.inputs[k] = bf16_weights(graph, index, node.inputs[k]);
      const std::string original = node.outputs[0];
      const std::string converted = bf16_values_.at(original);
      node.outputs[0] = converted;
      nodes.push_back(std::move(node));
      if (index.read_outside(original, bf16))  // a float32 reader
        nodes.push_back(cast(converted, original, kOnnxFloat));
    }
    graph.nodes = std::move(nodes);
    drop_unread_float32_weights(graph);
    return rewrites;
  }

 private:
  // Which nodes compute in bfloat16: the channels-last convs and the max pools that read one of
  // them, less the convs with no such neighbour.
  static std::vector<bool> choose_nodes(const Graph& graph, const GraphIndex& index) {
    const size_t n = graph.nodes.size();
    std::vector<bool> chosen(n, false);
    for (size_t i = 0; i < n; ++i) {
      const Node& node = graph.nodes[i];
      if (is_channels_last_conv(node, index)) {
        chosen[i] = true;
      } else if (is_channels_last_max_pool(node)) {
        const int producer = index.producer(node.inputs[0]);
        chosen[i] = producer >= 0 && is_channels_last_conv(graph.nodes[producer], index);
      }
    }
    std::vector<bool> kept = chosen;
    for (size_t i = 0; i < n; ++i) {
      if (!chosen[i] || is_channels_last_max_pool(graph.nodes[i])) continue;
      bool neighbour = false;
      for (size_t k : data_inputs(graph.nodes[i])) {
        const int producer = index.producer(graph.nodes[i].inputs[k]);
        neighbour = neighbour || (producer >= 0 && chosen[producer]);
      }
      for (int c : index.consumers(graph.nodes[i].outputs[0])) neighbour = neighbour || chosen[c];
      kept[i] = neighbour;
    }
    return kept;
  }

  // The bfloat16 form of an activation: a chosen node's output, or a Cast of a float32 value
  // (one per value, however many nodes read it).
  std::string bf16_input(const std::string& name, std::vector<Node>& nodes) {
    auto it = bf16_values_.find(name);
    if (it != bf16_values_.end()) return it->second;
    const std::string converted = unique_name(name + "_bf16");
    nodes.push_back(cast(name, converted, kOnnxBFloat16));
    bf16_values_[name] = converted;
    return converted;
  }

  // The float32 weights every reader of which now takes the bfloat16 copy: without them the
  // session holds the model's conv weights once, not one and a half times.
  void drop_unread_float32_weights(Graph& graph) const {
    const GraphIndex index(graph);
    std::unordered_set<std::string> inputs;
    for (const ValueInfo& vi : graph.inputs) inputs.insert(vi.name);
    std::erase_if(graph.initializers, [&](const Initializer& init) {
      return bf16_weights_.count(init.name) && index.consumers(init.name).empty() &&
             !index.is_graph_output(init.name) && !index.used_by_subgraph(init.name) &&
             !inputs.count(init.name);  // an overridable input must keep its default
    });
  }

  // A bfloat16 copy of a float32 initializer (W or B), made once per initializer. Conv weights
  // may still be in the model file (core/deferred_bytes.h): converted from there, through a
  // small aligned staging buffer, rather than copied whole into fresh float32 memory first.
  std::string bf16_weights(Graph& graph, const GraphIndex& index, const std::string& name) {
    auto it = bf16_weights_.find(name);
    if (it != bf16_weights_.end()) return it->second;
    const Tensor& value = *index.initializer_meta(name);
    Tensor converted = Tensor::uninitialized(DType::kBFloat16, value.shape());
    with_bytes(value, [&](const void* bytes) {
      constexpr int64_t kChunk = 4096;
      float staging[kChunk];
      const int64_t n = value.numel();
      for (int64_t i = 0; i < n; i += kChunk) {
        const int64_t m = std::min(kChunk, n - i);
        std::memcpy(staging, static_cast<const char*>(bytes) + i * sizeof(float),
                    static_cast<size_t>(m) * sizeof(float));
        const Tensor from(DType::kFloat32, {m}, staging);
        Tensor to(DType::kBFloat16, {m}, converted.data<uint16_t>() + i);
        cast_elements(from, to);
      }
    });
    const std::string added = add_initializer(graph, unique_name(name + "_bf16"), converted);
    bf16_weights_[name] = added;
    return added;
  }

  Node cast(const std::string& from, const std::string& to, int64_t onnx_type) {
    Node node;
    node.op_type = "Cast";
    node.name = "bf16_" + to;
    node.inputs = {from};
    node.outputs = {to};
    Attribute a;
    a.name = "to";
    a.type = Attribute::Type::kInt;
    a.i = onnx_type;
    node.attributes.push_back(a);
    return node;
  }

  std::string unique_name(const std::string& hint) { return names_->fresh(hint); }

  std::optional<ValueNamer> names_;                            // made in apply()
  std::unordered_map<std::string, std::string> bf16_values_;   // value -> its bfloat16 form
  std::unordered_map<std::string, std::string> bf16_weights_;  // initializer -> bf16 copy
};

}  // namespace

std::unique_ptr<RewriteRule> make_bf16_activations_rule() {
  return std::make_unique<Bf16ActivationsRule>();
}

}  // namespace infera
