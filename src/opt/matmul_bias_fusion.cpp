// MatMul followed by Add of a constant 1-D bias over the last dim (how exporters write Linear
// on 3-D inputs) becomes one com.infera FusedMatMul(A, B, bias), so the fast kernel adds the
// bias while the tile is still in registers. Applies when the MatMul's output is read only by
// the Add, the bias is an initializer of shape [N], and B is an initializer whose last dim is
// N: then the Add cannot broadcast the product to a bigger shape, so Y's shape is unchanged.
#include "opt/rewrite.h"

namespace infera {

namespace {

class MatMulBiasFusionRule final : public RewriteRule {
 public:
  std::string name() const override { return "matmul_bias_fusion"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& add = graph.nodes[i];
      if (add.op_type != "Add" || !add.domain.empty() || add.inputs.size() != 2 || dead[i])
        continue;
      for (int side = 0; side < 2; ++side) {
        const std::string& product = add.inputs[side];
        const std::string& bias_name = add.inputs[1 - side];
        const int p = index.producer(product);
        if (p < 0 || dead[p] || !index.has_single_consumer(product)) continue;
        Node& matmul = graph.nodes[p];
        if (matmul.op_type != "MatMul" || !matmul.domain.empty() || matmul.inputs.size() != 2)
          continue;
        const Tensor* bias = index.initializer(bias_name);
        const Tensor* b = index.initializer(matmul.inputs[1]);
        if (!bias || !b || bias->rank() != 1 || b->rank() < 2 || bias->dtype() != b->dtype() ||
            bias->dim(0) != b->shape().back())
          continue;
        matmul.op_type = "FusedMatMul";
        matmul.domain = "com.infera";
        matmul.inputs.push_back(bias_name);
        matmul.outputs[0] = add.outputs[0];
        dead[i] = true;
        ++rewrites;
        break;
      }
    }
    return finish_fusions(model, graph, dead, rewrites);
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_matmul_bias_fusion_rule() {
  return std::make_unique<MatMulBiasFusionRule>();
}

}  // namespace infera
