// A channels-last FusedConv whose only reader is a 2x2 stride-2 max pool (NhwcMaxPool, no
// padding, no dilation, floor) becomes one com.infera FusedConvMaxPool: its fast kernel pools
// each pair of conv rows while they are in cache and never writes the full-resolution output
// (on the Fashion-MNIST CNN's first layer, 12.8 MB per batch of 256 written and read back).
//
// Only where that kernel applies (conv_nhwc_small_cin_covers: few input channels, output
// channels a multiple of 16, and in bf16 sessions no more than 4 input channels): elsewhere
// the fused op would have only its slow reference kernel. No residual Z: the fused op has none.
// Runs after the channels-last layout pass, which makes the NHWC ops it matches.
#include "ops/cpu/conv_nhwc_small_cin_f32.h"
#include "opt/rewrite.h"

namespace infera {
namespace {

bool ints_are(const Node& node, const char* name, std::vector<int64_t> fallback,
              const std::vector<int64_t>& want) {
  const Attribute* a = node.find_attribute(name);
  return (a ? a->ints : fallback) == want;
}

bool is_max_pool_2x2(const Node& pool) {
  if (pool.domain != "com.infera" || pool.op_type != "NhwcMaxPool") return false;
  if (pool.outputs.size() > 1 && !pool.outputs[1].empty()) return false;  // Indices
  const Attribute* auto_pad = pool.find_attribute("auto_pad");
  const Attribute* ceil_mode = pool.find_attribute("ceil_mode");
  return (!auto_pad || auto_pad->s == "NOTSET" || auto_pad->s == "VALID") &&
         (!ceil_mode || ceil_mode->i == 0) && ints_are(pool, "kernel_shape", {}, {2, 2}) &&
         ints_are(pool, "strides", {1, 1}, {2, 2}) &&
         ints_are(pool, "pads", {0, 0, 0, 0}, {0, 0, 0, 0}) &&
         ints_are(pool, "dilations", {1, 1}, {1, 1});
}

bool is_small_cin_conv(const Node& conv, const GraphIndex& index, bool bf16) {
  if (conv.domain != "com.infera" || conv.op_type != "FusedConv") return false;
  const Attribute* channels_last = conv.find_attribute("channels_last");
  if (!channels_last || channels_last->i != 1) return false;
  if (conv.inputs.size() < 2 || (conv.inputs.size() > 3 && !conv.inputs[3].empty())) return false;
  const Tensor* w = index.initializer_meta(conv.inputs[1]);
  const Attribute* group = conv.find_attribute("group");
  const Attribute* activation = conv.find_attribute("activation");
  const Attribute* params = conv.find_attribute("activation_params");
  return w &&
         conv_nhwc_small_cin_covers(*w, group ? group->i : 1, activation ? activation->s : "",
                                    params ? params->floats : std::vector<float>{}, true, bf16);
}

class ConvMaxPoolFusionRule final : public RewriteRule {
 public:
  explicit ConvMaxPoolFusionRule(bool bf16) : bf16_(bf16) {}
  std::string name() const override { return "conv_max_pool_fusion"; }

  int apply(Graph& graph, Model&) override {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    int rewrites = 0;
    for (Node& conv : graph.nodes) {
      if (conv.outputs.size() != 1 || !is_small_cin_conv(conv, index, bf16_)) continue;
      const std::string& y = conv.outputs[0];
      if (!index.has_single_consumer(y)) continue;
      const int p = index.consumers(y)[0];
      Node& pool = graph.nodes[p];
      if (dead[p] || !is_max_pool_2x2(pool)) continue;
      conv.op_type = "FusedConvMaxPool";
      conv.outputs = {pool.outputs[0]};
      dead[p] = true;
      ++rewrites;
    }
    if (rewrites) erase_nodes(graph, dead);
    return rewrites;
  }

 private:
  bool bf16_;
};

}  // namespace

std::unique_ptr<RewriteRule> make_conv_max_pool_fusion_rule(bool bf16) {
  return std::make_unique<ConvMaxPoolFusionRule>(bf16);
}

}  // namespace infera
