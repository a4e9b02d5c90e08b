// A max pool of a channel Concat pools each of the Concat's inputs instead, and the Concat
// joins the pooled values: the pool works channel by channel, so
//   MaxPool(concat(a, b)) = concat(MaxPool(a), MaxPool(b)).
// The Concat then copies the pooled (4x smaller, for a stride-2 pool) values, and when a
// pointwise conv reads it, concat_conv_split removes the copy altogether (SqueezeNet 1.1 pools
// two of its fire modules' concatenated outputs before the next fire's squeeze conv).
//
// Applies when the Concat (axis 1, the channels, of a 4-D or deeper value, 2 to 4 inputs) is
// read by nothing but the MaxPool, and the MaxPool does not output Indices (they would count
// positions over the concatenated channels).
#include "opt/rewrite.h"

namespace infera {

namespace {

constexpr size_t kMaxParts = 4;  // as concat_conv_split

class PoolBeforeConcatRule final : public RewriteRule {
 public:
  std::string name() const override { return "pool_before_concat"; }

  int apply(Graph& graph, Model&) override {
    const GraphIndex index(graph);
    ValueNamer namer(graph);
    std::vector<std::vector<Node>> replacement(graph.nodes.size());
    std::vector<bool> replaced(graph.nodes.size(), false);
    int rewrites = 0;
    for (size_t i = 0; i < graph.nodes.size(); ++i) {
      const Node& pool = graph.nodes[i];
      if (pool.op_type != "MaxPool" || !pool.domain.empty() || pool.inputs.size() != 1 ||
          pool.outputs.empty() || (pool.outputs.size() > 1 && !pool.outputs[1].empty()))
        continue;
      const int c = index.producer(pool.inputs[0]);
      if (c < 0 || replaced[c] || !index.has_single_consumer(pool.inputs[0])) continue;
      const Node& concat = graph.nodes[c];
      const Attribute* axis = concat.find_attribute("axis");
      if (concat.op_type != "Concat" || !concat.domain.empty() || concat.inputs.size() < 2 ||
          concat.inputs.size() > kMaxParts || !axis || axis->i != 1)
        continue;
      bool parts_present = true;
      for (const std::string& part : concat.inputs) parts_present &= !part.empty();
      if (!parts_present) continue;
      const std::string base = pool.name.empty() ? pool.outputs[0] : pool.name;
      Node joined = concat;
      joined.name = concat.name.empty() ? "" : concat.name + "_of_pooled";
      for (size_t k = 0; k < concat.inputs.size(); ++k) {
        Node part = pool;
        part.name = base + "_part" + std::to_string(k);
        part.inputs = {concat.inputs[k]};
        part.outputs = {namer.fresh(base + "_pooled" + std::to_string(k))};
        joined.inputs[k] = part.outputs[0];
        replacement[i].push_back(std::move(part));
      }
      joined.outputs = {pool.outputs[0]};
      replacement[i].push_back(std::move(joined));
      replaced[i] = replaced[c] = true;
      ++rewrites;
    }
    if (rewrites == 0) return 0;
    replace_nodes(graph, replacement, replaced);  // the Concats read by a pool: replaced by none
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<RewriteRule> make_pool_before_concat_rule() {
  return std::make_unique<PoolBeforeConcatRule>();
}

}  // namespace infera
