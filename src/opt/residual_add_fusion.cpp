// A residual Add(Conv(...), Z) becomes FusedConv(..., Z): the fast kernel adds Z while writing
// its output, instead of a second pass over memory (every ResNet block ends this way; the
// activation rule then folds the block's final Relu in too).
//
// Add broadcasts, FusedConv does not: the rewrite is valid only when Z has exactly the Conv
// output's shape. Exported models rarely carry value_info, so the shapes come from the engine's
// own shape inference with the symbolic input dims set to 1 and then to 2; the Add fuses only
// when both agree. FusedConv checks the shapes again at prepare time and refuses, naming the
// node, if a batch size ever disagreed.
#include "opt/rewrite.h"

namespace infera {

namespace {

bool is_plain_conv(const Node& node) {
  if (node.op_type == "Conv" && node.domain.empty()) return node.inputs.size() >= 2;
  if (node.op_type != "FusedConv" || node.domain != "com.infera" || node.inputs.size() > 3)
    return false;
  const Attribute* act = node.find_attribute("activation");
  return !act || act->s.empty();
}

class ResidualAddFusionRule final : public RewriteRule {
 public:
  std::string name() const override { return "residual_add_fusion"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    // Shape inference is a full prepare: done only once a candidate shows up.
    bool shapes_known = false;
    std::unordered_map<std::string, Shape> probe1, probe2;
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& add = graph.nodes[i];
      if (add.op_type != "Add" || !add.domain.empty() || add.inputs.size() != 2 || dead[i])
        continue;
      for (int side = 0; side < 2; ++side) {
        const std::string& y = add.inputs[side];
        const std::string& z = add.inputs[1 - side];
        const int p = index.producer(y);
        if (p < 0 || dead[p] || y == z || !index.has_single_consumer(y)) continue;
        Node& conv = graph.nodes[p];
        if (!is_plain_conv(conv)) continue;
        if (!shapes_known) {
          probe1 = infer_value_shapes(model, 1);
          probe2 = infer_value_shapes(model, 2);
          shapes_known = true;
        }
        if (!same_known_shape(probe1, y, z) || !same_known_shape(probe2, y, z)) continue;
        if (conv.op_type == "Conv") {
          conv.op_type = "FusedConv";
          conv.domain = "com.infera";
          conv.attributes.push_back(string_attribute("activation", ""));
        }
        conv.inputs.resize(3);  // "" marks an omitted bias
        conv.inputs.push_back(z);
        conv.outputs[0] = add.outputs[0];
        dead[i] = true;
        ++rewrites;
        break;
      }
    }
    return finish_fusions(model, graph, dead, rewrites);
  }

 private:
  static bool same_known_shape(const std::unordered_map<std::string, Shape>& shapes,
                               const std::string& a, const std::string& b) {
    auto ia = shapes.find(a);
    auto ib = shapes.find(b);
    return ia != shapes.end() && ib != shapes.end() && ia->second == ib->second;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_residual_add_fusion_rule() {
  return std::make_unique<ResidualAddFusionRule>();
}

}  // namespace infera
