// Prepared execution plans and the loop that runs them.
//
// prepare_plan() takes a compiled graph and concrete input shapes and decides, node by node:
//   folded   every output is known ahead of time (constants, shape computations): never run;
//   static   output shapes are known: outputs live at planned offsets in one arena;
//   dynamic  output shapes depend on data (NonZero, sequences, control flow, anything
//            downstream of those): shapes are inferred and memory allocated while running.
// A model with static shapes therefore runs with no allocation at all. Each thread that runs
// a plan checks out its own RunState (arena + value table) from the plan's pool.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/compiled_graph.h"

namespace infera {

struct RunState {
  std::shared_ptr<uint8_t> arena;
  std::vector<Value> values;  // indexed by value id
};

struct PlanStep {
  enum class Mode : uint8_t { kFolded, kStatic, kDynamic };
  int node = 0;  // index into Subgraph::nodes
  Mode mode = Mode::kStatic;
  std::shared_ptr<void> state;  // what the kernel's prepare() built for this plan
  int64_t scratch_offset = -1;  // arena offset of the scratch it asked for
};

// Time spent per step in one run, for profiles (seconds, indexed like Plan::steps).
using StepTimes = std::vector<double>;

// Called after each step of a run (folded ones included) with the step's index and the value
// table. The step's outputs are valid only until a later step reuses their arena memory, so an
// observer copies what it keeps. For debugging tools, not for the hot path.
using StepObserver = std::function<void(size_t step, const std::vector<Value>& values)>;

class Plan {
 public:
  std::shared_ptr<const Subgraph> graph;
  std::vector<Value> input_signature;  // metadata of the inputs this plan was made for
  std::vector<PlanStep> steps;
  std::vector<Value> value_template;  // constants and planned tensor metadata
  std::vector<int64_t> arena_offset;  // per value id, -1 when not in the arena
  std::vector<int> dynamic_values;    // reset after each run to free their memory
  size_t arena_bytes = 0;
  int folded_nodes = 0;
  int dynamic_nodes = 0;
  int threads = 1;

  std::unique_ptr<RunState> acquire_state() const;
  void release_state(std::unique_ptr<RunState> state) const;
  // Frees the arenas of runs that are over (a plan kept for rare use: the thread governor's).
  void drop_idle_states() const;
  // Whether a run started now would reuse the arena of a run that is over. Without one it
  // allocates its own and touches every page of it first: a cold run.
  bool has_idle_state() const;

 private:
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<RunState>> pool_;
};

// Builds a plan for inputs shaped like `inputs` (only dtype/shape/kind are read; tensors may
// have no data). `outer` supplies outer-scope values for subgraphs (may be empty).
std::shared_ptr<Plan> prepare_plan(std::shared_ptr<const Subgraph> graph,
                                   const std::vector<Value>& inputs,
                                   const KernelConfig& config = KernelConfig());

// Runs the plan on `inputs` (which must match the plan's signature) and returns the graph
// outputs as freshly owned values.
// With `times`, records the seconds each step took; with `observer`, shows it every step.
std::vector<Value> execute_plan(const Plan& plan, const std::vector<Value>& inputs,
                                StepTimes* times = nullptr, const StepObserver* observer = nullptr);

// Runs a subgraph with every node in dynamic mode: used for If/Loop/Scan bodies.
std::vector<Value> execute_dynamic(const Subgraph& graph, const std::vector<Value>& inputs,
                                   const std::vector<Value>& outer_values);

// "float32 [1, 3, 224, 224]", "sequence of float32", "none"
std::string describe_value(const Value& v);

}  // namespace infera
