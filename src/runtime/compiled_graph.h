// A graph compiled for execution: values numbered, nodes topologically sorted, each node bound
// to a kernel. Subgraphs (If/Loop/Scan bodies) compile to the same structure; the names they
// take from enclosing graphs become `outer_refs`, fed by the owning node's implicit inputs.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"

namespace infera {

struct CompiledNode {
  const Node* node = nullptr;
  std::unique_ptr<OpKernel> kernel;
  std::vector<int> inputs;           // value ids; -1 for an omitted optional input
  std::vector<int> implicit_inputs;  // outer-scope values read by this node's subgraphs
  std::vector<int> outputs;          // value ids; -1 for an omitted optional output
};

struct ValueSlot {
  std::string name;
  bool is_constant = false;  // an initializer: `constant` holds it
  Value constant;
};

class Subgraph {
 public:
  std::shared_ptr<const Graph> graph;  // keeps names and attributes alive
  std::vector<ValueSlot> values;
  std::vector<CompiledNode> nodes;  // topological order
  std::vector<int> inputs;          // graph inputs the caller feeds, in declared order
  std::vector<ValueInfo> input_infos;
  std::vector<int> outputs;
  std::vector<ValueInfo> output_infos;
  std::vector<int> outer_refs;           // values bound from the enclosing graph
  std::vector<std::string> outer_names;  // their names, same order

  int num_inputs() const { return static_cast<int>(inputs.size()); }
  int num_outputs() const { return static_cast<int>(outputs.size()); }
};

// Names visible from enclosing graphs while compiling a subgraph.
struct OuterScope {
  const OuterScope* parent = nullptr;
  const std::unordered_map<std::string, int>* names = nullptr;
  bool contains(const std::string& name) const;
};

// Copies out of the model file every constant whose bytes are still there
// (core/deferred_bytes.h), unless only kernels that read it that way read it. Called on the graph
// a session runs; graphs compiled to infer shapes or fold a node read no deferred weights.
void materialize_constants(const Subgraph& graph);

// Compiles `graph`. Inputs that are also initializers are constants (their initializer is the
// value); the rest are fed by the caller. Throws kInvalidModel / kUnsupported naming the node.
// `config` (may be null: defaults) chooses between reference and optimized kernels.
std::shared_ptr<Subgraph> compile_graph(std::shared_ptr<const Graph> graph, const Model& model,
                                        const OuterScope* outer,
                                        const KernelConfig* config = nullptr);

}  // namespace infera
