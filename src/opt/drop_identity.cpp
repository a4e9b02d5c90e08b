// Drops Identity, and Dropout in inference mode (the engine only infers), by pointing their
// readers at their input. A graph output keeps its name: when the dropped node's output is a
// graph output, the producer of its input is renamed instead, if nothing else reads that
// input; otherwise the node stays (a copy is then genuinely needed).
#include <unordered_set>

#include "opt/rewrite.h"

namespace infera {

namespace {

// Dropout is the identity when it is not training and nobody reads its mask.
bool is_inference_dropout(const Node& node, const GraphIndex& index) {
  if (node.op_type != "Dropout" || !node.domain.empty()) return false;
  if (node.outputs.size() > 1 && !node.outputs[1].empty()) {
    const std::string& mask = node.outputs[1];
    if (!index.consumers(mask).empty() || index.is_graph_output(mask) ||
        index.used_by_subgraph(mask))
      return false;
  }
  if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const Tensor* training = index.initializer(node.inputs[2]);
    if (!training || training->numel() != 1 || training->dtype() != DType::kBool ||
        training->data<bool>()[0])
      return false;
  }
  return true;
}

class DropIdentityRule final : public RewriteRule {
 public:
  std::string name() const override { return "drop_identity"; }

  int apply(Graph& graph, Model&) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    // Names changed in this pass: the index no longer describes them, so leave the nodes that
    // touch them for the next pass.
    std::unordered_set<std::string> touched;
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      const bool identity = node.op_type == "Identity" && node.domain.empty();
      if (!identity && !is_inference_dropout(node, index)) continue;
      if (node.inputs.empty() || node.inputs[0].empty() || node.outputs.empty() ||
          node.outputs[0].empty())
        continue;
      const std::string x = node.inputs[0];
      const std::string y = node.outputs[0];
      if (touched.count(x) || touched.count(y) || index.used_by_subgraph(y)) continue;
      if (!index.is_graph_output(y)) {
        for (int c : index.consumers(y))
          for (std::string& in : graph.nodes[c].inputs)
            if (in == y) in = x;
      } else {
        // y must survive as a name: let x's producer write y directly.
        const int p = index.producer(x);
        if (p < 0 || dead[p] || !index.has_single_consumer(x)) continue;
        for (std::string& out : graph.nodes[p].outputs)
          if (out == x) out = y;
      }
      touched.insert(x);
      touched.insert(y);
      dead[i] = true;
      ++rewrites;
    }
    if (rewrites) erase_nodes(graph, dead);
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_drop_identity_rule() {
  return std::make_unique<DropIdentityRule>();
}

}  // namespace infera
