// Graph rewrites applied at load, between reading the model and compiling it.
//
// Each rewrite is a small rule in its own file (src/opt/<rule>.cpp): which op types it targets,
// the condition under which the rewrite keeps the graph's outputs unchanged, and the apply step.
// optimize_model() runs the rules in a fixed order until none fires (bounded), so one rule's
// result can feed another (Add(Conv, Z) -> FusedConv, then Relu -> FusedConv's activation).
//
// Rules only touch the top-level graph. Graph attributes (If/Loop/Scan bodies) are left alone,
// but the names they read from the outer graph are treated as used (see GraphIndex), so no rule
// removes or renames a value a body depends on.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/graph.h"

namespace infera {

// Who produces and who reads each value of a graph, built once per rule application.
class GraphIndex {
 public:
  explicit GraphIndex(const Graph& graph);

  // Index into graph.nodes of the node producing `name`, or -1 (input, initializer, unknown).
  int producer(const std::string& name) const;
  // Indices of the nodes reading `name` as an explicit input (each node once).
  const std::vector<int>& consumers(const std::string& name) const;
  bool is_graph_output(const std::string& name) const { return graph_outputs_.count(name) > 0; }
  // Read by a subgraph (If/Loop/Scan body) of some node: its users are not all visible here.
  bool used_by_subgraph(const std::string& name) const { return subgraph_uses_.count(name) > 0; }
  // True when exactly one node reads `name`, once, and nothing else (graph outputs, subgraphs)
  // sees it: the value may be absorbed into that consumer.
  bool has_single_consumer(const std::string& name) const;
  // True when something outside a set of nodes (`inside[i]` for graph.nodes[i]) sees `name`: a
  // node not in the set, a graph output or a subgraph. A rule rewriting the set's values then
  // keeps the original value for them.
  bool read_outside(const std::string& name, const std::vector<bool>& inside) const;
  // The initializer's value, its bytes readable. The index holds its own (shallow) copies, so
  // the pointer stays valid while a rule adds initializers to the graph.
  const Tensor* initializer(const std::string& name) const;
  // The initializer for its dtype and shape only: its bytes may still be in the model file
  // (core/deferred_bytes.h), and asking for them costs a copy the conv kernels avoid.
  const Tensor* initializer_meta(const std::string& name) const;

 private:
  std::unordered_map<std::string, int> producer_;
  std::unordered_map<std::string, std::vector<int>> consumers_;
  std::unordered_map<std::string, int> reads_;  // counts repeated reads by one node too
  std::unordered_map<std::string, Tensor> initializer_;
  std::unordered_set<std::string> graph_outputs_;
  std::unordered_set<std::string> subgraph_uses_;
};

class RewriteRule {
 public:
  virtual ~RewriteRule() = default;
  virtual std::string name() const = 0;
  // Rewrites `graph` (the model's top-level graph) and returns how many rewrites it made.
  virtual int apply(Graph& graph, Model& model) = 0;
};

// The rules, in the order optimize_model() runs them. Each is defined in its own file.
std::unique_ptr<RewriteRule> make_drop_identity_rule();
std::unique_ptr<RewriteRule> make_constant_folding_rule();
std::unique_ptr<RewriteRule> make_conv_bn_fusion_rule();
std::unique_ptr<RewriteRule> make_matmul_bias_fusion_rule();
std::unique_ptr<RewriteRule> make_residual_add_fusion_rule();
std::unique_ptr<RewriteRule> make_activation_fusion_rule();
// Run once each, in this order, after the others have reached their fixed point.
std::unique_ptr<RewriteRule> make_matmul_transpose_fusion_rule();
std::unique_ptr<RewriteRule> make_pool_before_concat_rule();
std::unique_ptr<RewriteRule> make_concat_conv_split_rule();
std::unique_ptr<RewriteRule> make_channels_last_layout_rule();
std::unique_ptr<RewriteRule> make_conv_max_pool_fusion_rule(bool bf16);
std::unique_ptr<RewriteRule> make_flatten_transpose_into_gemm_rule();
// Runs after the layout pass, in bf16 mode only (OptimizeOptions::bf16_activations).
std::unique_ptr<RewriteRule> make_bf16_activations_rule();

// Attributes for a node a rule makes or changes (perm, activation, activation_params, ...).
Attribute ints_attribute(const std::string& name, std::vector<int64_t> values);
Attribute string_attribute(const std::string& name, const std::string& value);
Attribute floats_attribute(const std::string& name, std::vector<float> values);
// The node's int attribute `name`, or `fallback` when it has none.
int64_t int_attribute(const Node& node, const std::string& name, int64_t fallback);

// Per rule, how many rewrites it made in one optimize_model() call.
struct OptimizeReport {
  std::vector<std::pair<std::string, int>> rewrites;
  int nodes_before = 0;
  int nodes_after = 0;
};

struct OptimizeOptions {
  // The channels-last layout pass, after the fusions (the fusion rules' tests turn it off to
  // look at the fused graph itself).
  bool channels_last = true;
  // The session computes convolutions in bfloat16 where oneDNN can (KernelConfig::bf16): the
  // conv and pool fusion then leaves the convs deep enough to gain from it to oneDNN.
  bool bf16 = false;
  // bfloat16 tensors between the channels-last convs (bf16_activations.cpp). Only for sessions
  // in bf16 mode on a CPU with native bfloat16: elsewhere the convs compute in float32.
  bool bf16_activations = false;
};

// Runs every rule to a fixed point (at most a few rounds) on the model's top-level graph.
OptimizeReport optimize_model(Model& model, const OptimizeOptions& options = {});

// ---- helpers shared by the rules ----

// Fresh names for the values a rule adds: taken are the graph's inputs, initializers and node
// outputs as they were when it was made, and every name it has handed out since.
class ValueNamer {
 public:
  explicit ValueNamer(const Graph& graph);
  // `hint`, or `hint_1`, `hint_2`, ... when that is taken.
  std::string fresh(const std::string& hint);

 private:
  std::unordered_set<std::string> taken_;
};

// Removes the nodes whose index is in `dead` (keeps the order of the rest).
void erase_nodes(Graph& graph, const std::vector<bool>& dead);
// Puts `with[i]` (none, one or several nodes, moved from) where node i was, for each i with
// `replaced[i]`; the other nodes stay, in order.
void replace_nodes(Graph& graph, std::vector<std::vector<Node>>& with,
                   const std::vector<bool>& replaced);
// Adds an initializer named after `hint`, made unique in `graph`; returns its name.
std::string add_initializer(Graph& graph, const std::string& hint, Tensor tensor);
// Makes sure the model imports opset 1 of the domain "com.infera" (the fused ops).
void import_infera_domain(Model& model);
// Ends a pass that replaced nodes with com.infera ops: when it made `rewrites`, erases the
// `dead` nodes and imports the domain. Returns `rewrites`.
int finish_fusions(Model& model, Graph& graph, const std::vector<bool>& dead, int rewrites);
// A graph attribute (If/Loop/Scan body) is present on the node.
bool has_subgraph(const Node& node);
// Every value's shape as the engine infers it when the graph inputs' symbolic dims are `probe`
// (static dims stay). Empty when the graph cannot be prepared ahead of time (unknown input
// shapes, data-dependent shapes are simply missing from the map).
std::unordered_map<std::string, Shape> infer_value_shapes(const Model& model, int64_t probe);

}  // namespace infera
