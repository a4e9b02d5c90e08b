// Folds an inference BatchNormalization into the Conv before it:
//   BN(conv(X, W, B)) = conv(X, W * s, (B - mean) * s + beta),  s = scale / sqrt(var + eps)
// per output channel. Applies when the Conv's output is read only by the BN, every BN
// parameter and the Conv's W (and B) are float32 initializers, and nothing reads BN's running
// mean/var outputs (training). The folded weights are new initializers: the originals may be
// a read-only mapping of the model file.
#include <cmath>

#include "opt/rewrite.h"

namespace infera {

namespace {

bool is_f32(const Tensor* t) {
  return t && t->dtype() == DType::kFloat32;
}

class ConvBnFusionRule final : public RewriteRule {
 public:
  std::string name() const override { return "conv_bn_fusion"; }

  int apply(Graph& graph, Model&) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      Node& bn = graph.nodes[i];
      if (bn.op_type != "BatchNormalization" || !bn.domain.empty() || bn.inputs.size() < 5)
        continue;
      const int p = index.producer(bn.inputs[0]);
      if (p < 0 || dead[p] || dead[i]) continue;
      Node& conv = graph.nodes[p];
      if (conv.op_type != "Conv" || !conv.domain.empty() || conv.inputs.size() < 2) continue;
      if (!index.has_single_consumer(bn.inputs[0]) || !bn_is_inference(bn, index)) continue;
      const Tensor* w = index.initializer(conv.inputs[1]);
      const Tensor* b = conv.inputs.size() > 2 && !conv.inputs[2].empty()
                            ? index.initializer(conv.inputs[2])
                            : nullptr;
      const bool has_bias = conv.inputs.size() > 2 && !conv.inputs[2].empty();
      const Tensor* scale = index.initializer(bn.inputs[1]);
      const Tensor* beta = index.initializer(bn.inputs[2]);
      const Tensor* mean = index.initializer(bn.inputs[3]);
      const Tensor* var = index.initializer(bn.inputs[4]);
      if (!is_f32(w) || w->rank() < 3 || (has_bias && !is_f32(b)) || !is_f32(scale) ||
          !is_f32(beta) || !is_f32(mean) || !is_f32(var))
        continue;
      const int64_t m = w->dim(0);
      if (scale->numel() != m || beta->numel() != m || mean->numel() != m || var->numel() != m ||
          (b && b->numel() != m))
        continue;
      const double eps = bn.find_attribute("epsilon") ? bn.find_attribute("epsilon")->f : 1e-5;

      Tensor new_w = Tensor::empty(DType::kFloat32, w->shape());
      Tensor new_b = Tensor::empty(DType::kFloat32, {m});
      const int64_t per_channel = w->numel() / m;
      for (int64_t c = 0; c < m; ++c) {
        const double s =
            double(scale->data<float>()[c]) / std::sqrt(double(var->data<float>()[c]) + eps);
        const float* src = w->data<float>() + c * per_channel;
        float* dst = new_w.data<float>() + c * per_channel;
        for (int64_t k = 0; k < per_channel; ++k) dst[k] = float(double(src[k]) * s);
        const double bias = b ? double(b->data<float>()[c]) : 0.0;
        new_b.data<float>()[c] =
            float((bias - double(mean->data<float>()[c])) * s + double(beta->data<float>()[c]));
      }
      const std::string base = conv.name.empty() ? conv.outputs[0] : conv.name;
      const std::string w_name = add_initializer(graph, base + "_bn_folded_W", std::move(new_w));
      const std::string b_name = add_initializer(graph, base + "_bn_folded_B", std::move(new_b));
      conv.inputs.resize(3);
      conv.inputs[1] = w_name;
      conv.inputs[2] = b_name;
      conv.outputs[0] = bn.outputs[0];
      dead[i] = true;
      ++rewrites;
    }
    if (rewrites) erase_nodes(graph, dead);
    return rewrites;
  }

 private:
  static bool bn_is_inference(const Node& bn, const GraphIndex& index) {
    const Attribute* training = bn.find_attribute("training_mode");
    if (training && training->i != 0) return false;
    for (size_t k = 1; k < bn.outputs.size(); ++k) {
      const std::string& stat = bn.outputs[k];
      if (!stat.empty() && (!index.consumers(stat).empty() || index.is_graph_output(stat) ||
                            index.used_by_subgraph(stat)))
        return false;
    }
    if (bn.outputs.empty() || bn.outputs[0].empty()) return false;
    // Opsets before 7 had is_test / spatial; spatial=0 means per-element statistics.
    const Attribute* spatial = bn.find_attribute("spatial");
    return !(spatial && spatial->i == 0);
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_conv_bn_fusion_rule() {
  return std::make_unique<ConvBnFusionRule>();
}

}  // namespace infera
