// A pointwise convolution reading a channel Concat reads the Concat's inputs instead, one
// convolution per input, each summing into the next:
//   conv(concat(a, b), [Wa | Wb], B) = conv(b, Wb, Z = conv(a, Wa, B))
// (the activation, if any, on the last). The Concat's copy disappears: in channels-last
// layout it interleaves every pixel's channels from its inputs, a full pass over memory that
// took 4-10% of SqueezeNet 1.1 (its fire modules concatenate two expand convs, and the next
// fire's 1x1 squeeze conv reads the result); the parts' sums cost the small squeeze outputs.
//
// Applies when the conv (plain or FusedConv without a residual) has one group, a 1x1 kernel,
// unit strides and no padding, no more output than input channels (the squeeze convs, not a
// widening classifier conv), a float32 initializer for W, and the Concat joins 2 to
// kMaxParts values along the channel axis whose channel counts are known: from the producing
// conv's weights, else from the engine's shape inference. The Concat stays while anything else
// reads it (a MaxPool, a graph output).
#include <algorithm>

#include "opt/rewrite.h"

namespace infera {

namespace {

// More parts would mean more passes over the conv's output than the copy they save.
constexpr size_t kMaxParts = 4;

bool all_equal(const Node& node, const std::string& name, int64_t value) {
  const Attribute* a = node.find_attribute(name);
  if (!a) return true;
  for (int64_t v : a->ints)
    if (v != value) return false;
  return true;
}

// A 1x1, stride-1, unpadded, single-group conv without a residual input, or null.
const Tensor* pointwise_conv_weights(const Node& node, const GraphIndex& index) {
  const bool plain = node.op_type == "Conv" && node.domain.empty();
  const bool fused = node.op_type == "FusedConv" && node.domain == "com.infera";
  if ((!plain && !fused) || node.inputs.size() < 2 || node.inputs.size() > 3) return nullptr;
  if (int_attribute(node, "group", 1) != 1 || !all_equal(node, "strides", 1) ||
      !all_equal(node, "pads", 0))
    return nullptr;
  const Attribute* auto_pad = node.find_attribute("auto_pad");
  if (auto_pad && !auto_pad->s.empty() && auto_pad->s != "NOTSET" && auto_pad->s != "VALID")
    return nullptr;
  const Tensor* w = index.initializer_meta(node.inputs[1]);
  if (!w || w->dtype() != DType::kFloat32 || w->rank() < 3) return nullptr;
  for (int d = 2; d < w->rank(); ++d)
    if (w->dim(d) != 1) return nullptr;
  return w;
}

class ConcatConvSplitRule final : public RewriteRule {
 public:
  std::string name() const override { return "concat_conv_split"; }

  int apply(Graph& graph, Model& model) override {
    const GraphIndex index(graph);
    ValueNamer namer(graph);
    std::vector<std::vector<Node>> replacement(graph.nodes.size());
    std::vector<bool> replaced(graph.nodes.size(), false);
    bool shapes_known = false;
    std::unordered_map<std::string, Shape> shapes;
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& conv = graph.nodes[i];
      const Tensor* w_meta = pointwise_conv_weights(conv, index);
      if (!w_meta) continue;
      // Each part after the first reads and writes Y again, while the copy saved is of X: a
      // widening conv pays more than it saves (SqueezeNet's 512 -> 1000 conv10 split: 0.544 ms
      // against 0.502 + 0.009 for its Concat, 0.959 of the time unsplit).
      if (w_meta->dim(0) > w_meta->dim(1)) continue;
      const int c = index.producer(conv.inputs[0]);
      if (c < 0) continue;
      const Node& concat = graph.nodes[c];
      const int64_t rank = w_meta->rank();
      const int64_t axis = int_attribute(concat, "axis", 0);
      if (concat.op_type != "Concat" || !concat.domain.empty() || concat.inputs.size() < 2 ||
          concat.inputs.size() > kMaxParts || (axis != 1 && axis != 1 - rank))
        continue;
      std::vector<int64_t> channels;
      for (const std::string& part : concat.inputs) {
        int64_t n = part.empty() ? -1 : producer_channels(graph, part, index);
        if (n < 0 && !part.empty()) {
          if (!shapes_known) {
            shapes = infer_value_shapes(model, 1);
            shapes_known = true;
          }
          auto it = shapes.find(part);
          if (it != shapes.end() && static_cast<int64_t>(it->second.size()) == rank)
            n = it->second[1];
        }
        if (n <= 0) break;
        channels.push_back(n);
      }
      int64_t total = 0;
      for (int64_t n : channels) total += n;
      if (channels.size() != concat.inputs.size() || total != w_meta->dim(1)) continue;

      const Tensor* w = index.initializer(conv.inputs[1]);
      const std::string base = conv.name.empty() ? conv.outputs[0] : conv.name;
      const int64_t out_channels = w->dim(0), per_pixel = w->numel() / (out_channels * total);
      std::string running;  // the previous part's output, summed into the next
      int64_t first_channel = 0;
      for (size_t k = 0; k < channels.size(); ++k) {
        Shape part_shape = w->shape();
        part_shape[1] = channels[k];
        Tensor part_w = Tensor::empty(DType::kFloat32, part_shape);
        const int64_t row = channels[k] * per_pixel;
        for (int64_t o = 0; o < out_channels; ++o)
          std::copy_n(w->data<float>() + (o * total + first_channel) * per_pixel, row,
                      part_w.data<float>() + o * row);
        first_channel += channels[k];
        const bool last = k + 1 == channels.size();
        Node part;
        part.name = base + "_part" + std::to_string(k);
        part.op_type = "FusedConv";
        part.domain = "com.infera";
        for (const Attribute& a : conv.attributes)
          if (last || (a.name != "activation" && a.name != "activation_params"))
            part.attributes.push_back(a);
        if (!last || !conv.find_attribute("activation"))
          part.attributes.push_back(string_attribute("activation", ""));
        const bool has_bias = k == 0 && conv.inputs.size() > 2 && !conv.inputs[2].empty();
        part.inputs = {concat.inputs[k],
                       add_initializer(graph, base + "_W_part" + std::to_string(k),
                                       std::move(part_w)),
                       has_bias ? conv.inputs[2] : ""};
        if (k > 0) part.inputs.push_back(running);
        running = last ? conv.outputs[0] : namer.fresh(base + "_partial" + std::to_string(k));
        part.outputs = {running};
        replacement[i].push_back(std::move(part));
      }
      replaced[i] = true;
      ++rewrites;
    }
    if (rewrites == 0) return 0;
    replace_nodes(graph, replacement, replaced);
    drop_unread_concats(graph);
    import_infera_domain(model);
    return rewrites;
  }

 private:
  // Output channels of a value made by a conv with an initializer W, or -1.
  static int64_t producer_channels(const Graph& graph, const std::string& value,
                                   const GraphIndex& index) {
    const int p = index.producer(value);
    if (p < 0) return -1;
    const Node& node = graph.nodes[p];
    const bool conv = (node.op_type == "Conv" && node.domain.empty()) ||
                      (node.op_type == "FusedConv" && node.domain == "com.infera");
    if (!conv || node.inputs.size() < 2 || node.outputs.empty() || node.outputs[0] != value)
      return -1;
    const Tensor* w = index.initializer_meta(node.inputs[1]);
    return w && w->rank() >= 3 ? w->dim(0) : -1;
  }

  // The Concats whose every reader became a part conv.
  static void drop_unread_concats(Graph& graph) {
    const GraphIndex index(graph);
    std::vector<bool> dead(graph.nodes.size(), false);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& n = graph.nodes[i];
      if (n.op_type != "Concat" || !n.domain.empty() || n.outputs.size() != 1) continue;
      const std::string& out = n.outputs[0];
      if (index.consumers(out).empty() && !index.is_graph_output(out) &&
          !index.used_by_subgraph(out))
        dead[i] = true;
    }
    erase_nodes(graph, dead);
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_concat_conv_split_rule() {
  return std::make_unique<ConcatConvSplitRule>();
}

}  // namespace infera
