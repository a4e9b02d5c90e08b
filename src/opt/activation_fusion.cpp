// An activation right after Conv / Gemm / MatMul (or their fused forms that have none yet)
// moves into the producer, which becomes com.infera FusedConv / FusedGemm / FusedMatMul with
// `activation` and `activation_params` (see ops/fused_activation.h): the fast kernels apply it
// as a post-op while the output is still in cache.
//
// Fused: Relu, Clip (constant min/max), Sigmoid, Tanh, LeakyRelu, HardSigmoid, HardSwish, and
// SiLU written as Mul(x, Sigmoid(x)) in either input order (EfficientNet's blocks). Applies
// only when the producer's output is read by nothing but the activation (for SiLU: by the
// Sigmoid and the Mul, once each).
//
// Attention (MatMul -> Softmax -> MatMul) is left as it is: the fast MatMul and Softmax kernels
// already cover it, and a fused attention kernel is future work.
#include <limits>

#include "opt/rewrite.h"

namespace infera {

namespace {

float float_attr(const Node& node, const std::string& name, float fallback) {
  const Attribute* a = node.find_attribute(name);
  return a ? a->f : fallback;
}

// The fused form of a producer that can take an activation, or "" when it cannot.
std::string fused_op_for(const Node& node) {
  if (node.domain.empty()) {
    if (node.op_type == "Conv") return "FusedConv";
    if (node.op_type == "Gemm") return "FusedGemm";
    if (node.op_type == "MatMul") return "FusedMatMul";
    return "";
  }
  if (node.domain != "com.infera") return "";
  const Attribute* act = node.find_attribute("activation");
  if (act && !act->s.empty()) return "";
  if (node.op_type == "FusedConv" || node.op_type == "FusedGemm" || node.op_type == "FusedMatMul")
    return node.op_type;
  return "";
}

struct ActivationMatch {
  std::string name;
  std::vector<float> params;
  std::string output;
  std::vector<int> absorbed;  // nodes to remove
};

class ActivationFusionRule final : public RewriteRule {
 public:
  std::string name() const override { return "activation_fusion"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    int rewrites = 0;
    for (size_t p = 0; p < graph.nodes.size(); ++p) {
      Node& producer = graph.nodes[p];
      if (dead[p] || producer.outputs.empty() || producer.outputs[0].empty()) continue;
      const std::string fused = fused_op_for(producer);
      if (fused.empty()) continue;
      ActivationMatch match;
      if (!match_activation(graph, index, producer.outputs[0], model, match)) continue;
      bool free = true;
      for (int n : match.absorbed) free &= !dead[n];
      if (!free) continue;
      producer.op_type = fused;
      producer.domain = "com.infera";
      std::erase_if(producer.attributes, [](const Attribute& a) {
        return a.name == "activation" || a.name == "activation_params";
      });
      producer.attributes.push_back(string_attribute("activation", match.name));
      if (!match.params.empty())
        producer.attributes.push_back(floats_attribute("activation_params", match.params));
      producer.outputs[0] = match.output;
      for (int n : match.absorbed) dead[n] = true;
      ++rewrites;
    }
    return finish_fusions(model, graph, dead, rewrites);
  }

 private:
  static bool match_activation(const Graph& graph, const GraphIndex& index, const std::string& y,
                               const Model& model, ActivationMatch& match) {
    if (index.is_graph_output(y) || index.used_by_subgraph(y)) return false;
    const std::vector<int>& users = index.consumers(y);
    if (users.size() == 2) return match_silu(graph, index, y, match);
    if (users.size() != 1 || !index.has_single_consumer(y)) return false;
    const Node& act = graph.nodes[users[0]];
    if (!act.domain.empty() || act.outputs.empty() || act.outputs[0].empty()) return false;
    match.output = act.outputs[0];
    match.absorbed = {users[0]};
    const std::string& op = act.op_type;
    if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
      match.name = op;
      return true;
    }
    if (op == "LeakyRelu") {
      match.name = op;
      match.params = {float_attr(act, "alpha", 0.01f)};
      return true;
    }
    if (op == "HardSigmoid") {
      match.name = op;
      match.params = {float_attr(act, "alpha", 0.2f), float_attr(act, "beta", 0.5f)};
      return true;
    }
    if (op == "Clip") return match_clip(act, index, model, match);
    return false;
  }

  // Clip's bounds are attributes before opset 11 and optional inputs from then on; fused only
  // when they are known at load.
  static bool match_clip(const Node& clip, const GraphIndex& index, const Model& model,
                         ActivationMatch& match) {
    float lo = -std::numeric_limits<float>::infinity();
    float hi = std::numeric_limits<float>::infinity();
    if (model.opset_for("") < 11) {
      lo = float_attr(clip, "min", lo);
      hi = float_attr(clip, "max", hi);
    } else {
      for (size_t k = 1; k < clip.inputs.size() && k < 3; ++k) {
        if (clip.inputs[k].empty()) continue;
        const Tensor* bound = index.initializer(clip.inputs[k]);
        if (!bound || bound->numel() != 1 || bound->dtype() != DType::kFloat32) return false;
        (k == 1 ? lo : hi) = bound->data<float>()[0];
      }
    }
    match.name = "Clip";
    match.params = {lo, hi};
    return true;
  }

  // y -> Sigmoid -> s, and Mul(y, s) or Mul(s, y).
  static bool match_silu(const Graph& graph, const GraphIndex& index, const std::string& y,
                         ActivationMatch& match) {
    const std::vector<int>& users = index.consumers(y);
    for (int k = 0; k < 2; ++k) {
      const int sig = users[k], mul = users[1 - k];
      const Node& s = graph.nodes[sig];
      const Node& m = graph.nodes[mul];
      if (s.op_type != "Sigmoid" || !s.domain.empty() || m.op_type != "Mul" || !m.domain.empty())
        continue;
      if (s.outputs.empty() || s.outputs[0].empty() || m.inputs.size() != 2 || m.outputs.empty() ||
          m.outputs[0].empty())
        continue;
      const std::string& sy = s.outputs[0];
      const bool wired =
          (m.inputs[0] == y && m.inputs[1] == sy) || (m.inputs[0] == sy && m.inputs[1] == y);
      if (!wired || !index.has_single_consumer(sy)) continue;
      match.name = "SiLU";
      match.output = m.outputs[0];
      match.absorbed = {sig, mul};
      return true;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_activation_fusion_rule() {
  return std::make_unique<ActivationFusionRule>();
}

}  // namespace infera
