// Convolutional regions computed channels-last (NHWC), with layout changes only at their borders.
//
// oneDNN's fast convolutions work on NHWC (or blocked) memory; on the graph's NCHW tensors every
// conv either paid two reorders per run or fell back to a slow GEMM (1x1 convs). This rule
// rewrites each 2-D Conv/FusedConv into FusedConv with `channels_last = 1`, and carries the
// layout forward through the nodes that follow: pools (com.infera Nhwc* ops), element-wise ops
// (their broadcast constants permuted, [1, C, 1, 1] -> [1, 1, 1, C]) and Concat (axis 1 -> 3).
// A Transpose enters the region where an NCHW value flows in, and one leaves it where a value is
// read by anything else (Flatten, Reshape, Gemm, a graph output), restoring the original name.
// Tensors stay plain and shapes honest: a channels-last value simply has shape [N, H, W, C].
//
// It runs once, after the fusions (see optimize_model), so they see the ONNX ops they know.
#include <optional>
#include <unordered_set>

#include "ops/channels_last.h"
#include "opt/rewrite.h"

namespace infera {
namespace {

const std::unordered_set<std::string> kUnaryOps = {
    "Relu", "Sigmoid", "Tanh", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "Elu",     "Selu",
    "Neg",  "Abs",     "Sqrt", "Exp",  "Erf",       "Mish",        "Softplus",  "Identity"};
const std::unordered_set<std::string> kBinaryOps = {"Add", "Sub", "Mul", "Div"};
const std::unordered_set<std::string> kPools = {"MaxPool", "AveragePool", "GlobalAveragePool"};

constexpr int kRank = 4;  // the rule handles 2-D convolutions

class ChannelsLastLayoutRule final : public RewriteRule {
 public:
  std::string name() const override { return "channels_last_layout"; }

  int apply(Graph& graph, Model& model) override {
    bool any_conv = false;
    for (const Node& node : graph.nodes) any_conv = any_conv || is_conv_op(node);
    if (!any_conv) return 0;
    shapes_ = infer_value_shapes(model, 1);
    if (shapes_.empty()) return 0;
    const GraphIndex index(graph);
    index_ = &index;
    names_.emplace(graph);

    // Decide, in topological order: a node joins when it is a conv or it reads a value that is
    // already channels-last and can take the rest of its inputs in that layout.
    std::vector<bool> joins(graph.nodes.size(), false);
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& node = graph.nodes[i];
      if (has_subgraph(node) || !(is_conv(node) || can_follow(node))) continue;
      joins[i] = true;
      ++rewrites;
      for (const std::string& out : node.outputs)
        if (!out.empty()) channels_last_[out] = unique_name(out + "_nhwc");
    }
    if (rewrites == 0) return 0;

    std::vector<Node> nodes;
    nodes.reserve(graph.nodes.size() + 8);
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      if (!joins[i]) {
        nodes.push_back(std::move(graph.nodes[i]));
        continue;
      }
      Node node = std::move(graph.nodes[i]);
      rewrite_inputs(node, graph, nodes);
      rewrite_op(node);
      std::vector<std::string> originals = node.outputs;
      for (std::string& out : node.outputs)
        if (!out.empty()) out = channels_last_.at(out);
      nodes.push_back(std::move(node));
      // Leave the region where someone else reads the value in its original layout.
      for (const std::string& out : originals)
        if (!out.empty() && index.read_outside(out, joins))
          nodes.push_back(transpose(channels_last_.at(out), out, {0, 3, 1, 2}));
    }
    graph.nodes = std::move(nodes);
    import_infera_domain(model);
    return rewrites;
  }

 private:
  int rank_of(const std::string& name) const {
    auto it = shapes_.find(name);
    return it == shapes_.end() ? -1 : static_cast<int>(it->second.size());
  }
  bool is_channels_last(const std::string& name) const { return channels_last_.count(name) > 0; }

  static bool is_conv_op(const Node& node) {
    return (node.op_type == "Conv" && node.domain.empty()) ||
           (node.op_type == "FusedConv" && node.domain == "com.infera" &&
            !node.find_attribute("channels_last"));
  }

  // A 2-D float convolution with constant weights: what the oneDNN kernel computes NHWC.
  bool is_conv(const Node& node) const {
    if (!is_conv_op(node) || node.inputs.size() < 2 || rank_of(node.inputs[0]) != kRank)
      return false;
    const Tensor* w = index_->initializer_meta(node.inputs[1]);
    return w && w->dtype() == DType::kFloat32 && w->rank() == kRank &&
           (node.inputs.size() < 4 || node.inputs[3].empty() || rank_of(node.inputs[3]) == kRank);
  }

  // An element-wise op, pool or Concat reading a channels-last value, whose other inputs can
  // follow: channels-last values, 4-D values (a Transpose brings them in), constants.
  bool can_follow(const Node& node) const {
    if (!node.domain.empty()) return false;
    const std::string& op = node.op_type;
    const bool unary = kUnaryOps.count(op) > 0, binary = kBinaryOps.count(op) > 0;
    const bool pool = kPools.count(op) > 0, concat = op == "Concat";
    if (!unary && !binary && !pool && !concat) return false;
    if (node.inputs.empty() || node.outputs.size() != 1) return false;
    bool reads_channels_last = false;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const std::string& in = node.inputs[k];
      if (in.empty()) continue;
      if (is_channels_last(in)) {
        reads_channels_last = true;
        continue;
      }
      if (unary && k > 0) continue;  // parameters (Clip's min and max), not data
      const Tensor* constant = index_->initializer(in);
      if (binary && constant && constant->rank() <= kRank && constant->dtype() != DType::kString)
        continue;
      if ((binary || concat) && rank_of(in) == kRank) continue;
      return false;
    }
    return reads_channels_last && rank_of(node.outputs[0]) == kRank;
  }

  void rewrite_inputs(Node& node, Graph& graph, std::vector<Node>& nodes) {
    const bool conv = node.op_type == "Conv" || node.op_type == "FusedConv";
    const bool unary = kUnaryOps.count(node.op_type) > 0;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      std::string& in = node.inputs[k];
      if (in.empty()) continue;
      const bool data = conv ? (k == 0 || k == 3) : !(unary && k > 0);
      if (!data) continue;
      if (is_channels_last(in)) {
        in = channels_last_.at(in);
      } else if (const Tensor* constant = index_->initializer(in)) {
        in = permuted_constant(graph, in, *constant);
      } else {  // an NCHW value enters the region
        auto [it, fresh] = entered_.try_emplace(in, "");
        if (fresh) {
          it->second = unique_name(in + "_nhwc");
          nodes.push_back(transpose(in, it->second, {0, 2, 3, 1}));
        }
        in = it->second;
      }
    }
  }

  static void rewrite_op(Node& node) {
    if (node.op_type == "Conv" || node.op_type == "FusedConv") {
      node.op_type = "FusedConv";
      node.domain = "com.infera";
      Attribute a;
      a.name = "channels_last";
      a.type = Attribute::Type::kInt;
      a.i = 1;
      node.attributes.push_back(a);
    } else if (kPools.count(node.op_type)) {
      node.op_type = "Nhwc" + node.op_type;
      node.domain = "com.infera";
    } else if (node.op_type == "Concat") {
      for (Attribute& a : node.attributes)
        if (a.name == "axis") {
          const int64_t axis = a.i < 0 ? a.i + kRank : a.i;
          static const int64_t kChannelsLastAxis[kRank] = {0, 3, 1, 2};
          a.i = axis >= 0 && axis < kRank ? kChannelsLastAxis[axis] : a.i;
        }
    }
  }

  // The constant as it broadcasts against channels-last data: padded to rank 4 with leading
  // 1s as numpy broadcasting does, then permuted like the data. Scalars stay as they are.
  std::string permuted_constant(Graph& graph, const std::string& original, const Tensor& value) {
    if (value.rank() == 0) return original;
    auto it = permuted_.find(original);
    if (it != permuted_.end()) return it->second;
    Shape padded = value.shape();
    padded.insert(padded.begin(), kRank - padded.size(), 1);
    Tensor permuted = Tensor::empty(value.dtype(), channels_last_shape(padded));
    transpose_channels(value.reshaped(padded), permuted, true);
    const std::string name =
        add_initializer(graph, unique_name(original + "_nhwc"), std::move(permuted));
    permuted_[original] = name;
    return name;
  }

  Node transpose(const std::string& from, const std::string& to, std::vector<int64_t> perm) {
    Node node;
    node.op_type = "Transpose";
    node.name = "layout_" + to;
    node.inputs = {from};
    node.outputs = {to};
    node.attributes.push_back(ints_attribute("perm", std::move(perm)));
    return node;
  }

  std::string unique_name(const std::string& hint) { return names_->fresh(hint); }

  const GraphIndex* index_ = nullptr;  // valid during apply()
  std::unordered_map<std::string, Shape> shapes_;
  std::optional<ValueNamer> names_;                             // made in apply()
  std::unordered_map<std::string, std::string> channels_last_;  // original -> NHWC value
  std::unordered_map<std::string, std::string> entered_;        // NCHW value -> its NHWC copy
  std::unordered_map<std::string, std::string> permuted_;       // constant -> NHWC constant
};

}  // namespace

std::unique_ptr<RewriteRule> make_channels_last_layout_rule() {
  return std::make_unique<ChannelsLastLayoutRule>();
}

}  // namespace infera
