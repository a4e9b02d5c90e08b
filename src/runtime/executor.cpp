#include "runtime/executor.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>

#include "core/helper_threads.h"
#include "runtime/memory_planner.h"

namespace infera {

std::string describe_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kTensor:
      return std::string(dtype_name(v.tensor.dtype())) + " " + shape_to_string(v.tensor.shape());
    case Value::Kind::kSequence:
      return std::string("sequence of ") + dtype_name(v.sequence_dtype);
    default:
      return "none";
  }
}

namespace {

// What infer() declared for each output of one node.
class NodeInferContext final : public InferContext {
 public:
  enum class Outcome : uint8_t { kUnset, kShaped, kConstant, kDynamic, kNonTensor };
  struct Result {
    Outcome outcome = Outcome::kUnset;
    DType dtype = DType::kUndefined;
    Shape shape;
    Tensor constant;
  };

  NodeInferContext(const CompiledNode& cn, const Value* const* inputs)
      : InferContext(*cn.node, inputs, static_cast<int>(cn.inputs.size()),
                     static_cast<int>(cn.outputs.size())),
        cn_(cn),
        results_(cn.outputs.size()) {}

  bool has_output(int i) const override {
    return i < static_cast<int>(cn_.outputs.size()) && cn_.outputs[i] >= 0;
  }
  void set_output(int i, DType dtype, Shape shape) override {
    Result& r = at(i);
    r.outcome = Outcome::kShaped;
    r.dtype = dtype;
    r.shape = std::move(shape);
  }
  void set_output_constant(int i, Tensor value) override {
    Result& r = at(i);
    r.outcome = Outcome::kConstant;
    r.dtype = value.dtype();
    r.shape = value.shape();
    r.constant = std::move(value);
  }
  void set_output_dynamic(int i) override { at(i).outcome = Outcome::kDynamic; }
  void set_output_non_tensor(int i) override { at(i).outcome = Outcome::kNonTensor; }
  const std::vector<Result>& results() const { return results_; }

 private:
  Result& at(int i) {
    if (i < 0 || i >= static_cast<int>(results_.size()))
      fail("declares output " + std::to_string(i) + " but has only " +
           std::to_string(results_.size()));
    return results_[i];
  }
  const CompiledNode& cn_;
  std::vector<Result> results_;
};

class NodeRunContext final : public RunContext {
 public:
  NodeRunContext(const CompiledNode& cn, std::vector<Value>& values) : cn_(cn), values_(values) {}

  int num_inputs() const override { return static_cast<int>(cn_.inputs.size()); }
  bool has_input(int i) const override { return i < num_inputs() && cn_.inputs[i] >= 0; }
  const Value& input_value(int i) const override {
    if (!has_input(i)) fail("input " + std::to_string(i) + " is required");
    return values_[cn_.inputs[i]];
  }
  int num_outputs() const override { return static_cast<int>(cn_.outputs.size()); }
  bool has_output(int i) const override { return i < num_outputs() && cn_.outputs[i] >= 0; }
  Tensor& output(int i) override {
    if (!has_output(i)) fail("output " + std::to_string(i) + " is not connected");
    return values_[cn_.outputs[i]].tensor;
  }
  Tensor& allocate_output(int i, DType dtype, const Shape& shape) override {
    if (!has_output(i)) fail("output " + std::to_string(i) + " is not connected");
    Value& v = values_[cn_.outputs[i]];
    v = Value(Tensor::empty(dtype, shape));
    return v.tensor;
  }
  void set_output_value(int i, Value value) override {
    if (!has_output(i)) return;
    values_[cn_.outputs[i]] = std::move(value);
  }
  std::vector<Value> run_subgraph(const Subgraph& graph,
                                  const std::vector<Value>& inputs) override {
    // The subgraph's outer references were appended to this node's implicit inputs by name.
    std::vector<Value> outer(graph.outer_names.size());
    for (size_t k = 0; k < graph.outer_names.size(); ++k) {
      outer[k] = find_implicit(graph.outer_names[k]);
    }
    return execute_dynamic(graph, inputs, outer);
  }
  const Node& node() const override { return *cn_.node; }
  void* node_state() const override { return state_; }
  void* scratch() const override { return scratch_; }
  int threads() const override { return threads_; }
  void bind_plan_step(void* state, void* scratch, int threads) {
    state_ = state;
    scratch_ = scratch;
    threads_ = threads;
  }

 private:
  void* state_ = nullptr;
  void* scratch_ = nullptr;
  int threads_ = 1;
  const Value& find_implicit(const std::string& name) const {
    for (int id : cn_.implicit_inputs) {
      // Names are compared against the value table of the graph that owns this node.
      if (names_ && (*names_)[id].name == name) return values_[id];
    }
    fail("subgraph needs outer value '" + name + "' that is not bound");
  }

 public:
  const std::vector<ValueSlot>* names_ = nullptr;

 private:
  const CompiledNode& cn_;
  std::vector<Value>& values_;
};

// Shapes and dtypes inferred for one node, with input pointers taken from `values`.
NodeInferContext infer_node(const CompiledNode& cn, const std::vector<Value>& values,
                            std::vector<const Value*>& scratch) {
  scratch.assign(cn.inputs.size(), nullptr);
  for (size_t i = 0; i < cn.inputs.size(); ++i)
    if (cn.inputs[i] >= 0) scratch[i] = &values[cn.inputs[i]];
  NodeInferContext ctx(cn, scratch.data());
  cn.kernel->infer(ctx);
  return ctx;
}

// Runs one node whose outputs are not planned: infer with real data, allocate, run.
void run_node_dynamic(const Subgraph& graph, const CompiledNode& cn, std::vector<Value>& values) {
  std::vector<const Value*> scratch;
  NodeInferContext inferred = infer_node(cn, values, scratch);
  for (size_t i = 0; i < cn.outputs.size(); ++i) {
    if (cn.outputs[i] < 0) continue;
    const auto& r = inferred.results()[i];
    Value& out = values[cn.outputs[i]];
    switch (r.outcome) {
      case NodeInferContext::Outcome::kShaped:
        out = Value(Tensor::empty(r.dtype, r.shape));
        break;
      case NodeInferContext::Outcome::kConstant:
        out = Value(r.constant);
        break;
      default:
        out = Value();  // the kernel fills it
        break;
    }
  }
  bool all_constant = true;
  for (size_t i = 0; i < cn.outputs.size(); ++i)
    if (cn.outputs[i] >= 0 && inferred.results()[i].outcome != NodeInferContext::Outcome::kConstant)
      all_constant = false;
  if (all_constant) return;
  NodeRunContext ctx(cn, values);
  ctx.names_ = &graph.values;
  cn.kernel->run(ctx);
}

class PlanPrepareContext final : public PrepareContext {
 public:
  PlanPrepareContext(const CompiledNode& cn, const std::vector<Value>& meta,
                     const KernelConfig& config, int packing_threads)
      : cn_(cn), meta_(meta), config_(config), packing_threads_(packing_threads) {}
  int num_inputs() const override { return static_cast<int>(cn_.inputs.size()); }
  bool has_input(int i) const override { return i < num_inputs() && cn_.inputs[i] >= 0; }
  const Tensor& input(int i) const override { return meta_[cn_.inputs[i]].tensor; }
  int num_outputs() const override { return static_cast<int>(cn_.outputs.size()); }
  const Tensor& output(int i) const override {
    static const Tensor kAbsent;
    return cn_.outputs[i] >= 0 ? meta_[cn_.outputs[i]].tensor : kAbsent;
  }
  void request_scratch(size_t bytes) override { scratch_bytes = std::max(scratch_bytes, bytes); }
  void offer_input_buffer(int input, int output) override {
    buffer_offers.push_back({input, output});
  }
  const KernelConfig& config() const override { return config_; }
  int packing_threads() const override { return packing_threads_; }
  size_t scratch_bytes = 0;
  std::vector<std::pair<int, int>> buffer_offers;  // (input, output)

 private:
  const CompiledNode& cn_;
  const std::vector<Value>& meta_;
  const KernelConfig& config_;
  int packing_threads_;
};

// The buffer offers of static steps (PrepareContext::offer_input_buffer) as value ids, leaving
// out an input the step also reads through another of its inputs.
std::vector<BufferOffer> offers_by_value(
    const Subgraph& g, const std::vector<PlanStep>& steps,
    const std::vector<std::vector<std::pair<int, int>>>& offers) {
  std::vector<BufferOffer> by_value;
  for (size_t s = 0; s < steps.size(); ++s) {
    const CompiledNode& cn = g.nodes[steps[s].node];
    for (const auto& [input, output] : offers[s]) {
      if (input >= static_cast<int>(cn.inputs.size()) ||
          output >= static_cast<int>(cn.outputs.size()))
        continue;
      const int in = cn.inputs[input], out = cn.outputs[output];
      if (in < 0 || out < 0 || std::count(cn.inputs.begin(), cn.inputs.end(), in) != 1 ||
          std::count(cn.implicit_inputs.begin(), cn.implicit_inputs.end(), in) != 0)
        continue;
      by_value.push_back({static_cast<int32_t>(s), in, out});
    }
  }
  return by_value;
}

bool value_is_known(const Value& v) {
  return v.is_none() || (v.is_tensor() && v.tensor.has_data());
}

// Runs the kernels' prepare() for the static steps, on up to config.threads threads: building
// oneDNN primitives (their JIT code) and packing weights is most of a conv net's session
// creation, and the nodes' preparations are independent (shared caches lock). Plain threads,
// not an OpenMP team, so that inside each the kernels see the thread count they set
// (onednn::set_threads) and partition their primitives for the runs. The first error is
// rethrown once every thread has stopped.
void prepare_steps(const Subgraph& g, const std::vector<Value>& meta, const KernelConfig& config,
                   std::vector<size_t> steps, Plan& plan, std::vector<size_t>& scratch_bytes,
                   std::vector<std::vector<std::pair<int, int>>>& buffer_offers) {
  // Largest weights first: packing them is most of the time, and a big one taken last would
  // leave the other threads idle (ResNet-50's 8 MB classifier comes last in graph order).
  auto constant_bytes = [&](size_t s) {
    size_t bytes = 0;
    for (int v : g.nodes[plan.steps[s].node].inputs)
      if (v >= 0 && meta[v].is_tensor() && meta[v].tensor.has_data())
        bytes += meta[v].tensor.nbytes();
    return bytes;
  };
  std::vector<std::pair<size_t, size_t>> by_weight;
  for (size_t s : steps) by_weight.push_back({constant_bytes(s), s});
  std::stable_sort(by_weight.begin(), by_weight.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; k < steps.size(); ++k) steps[k] = by_weight[k].second;
  // A few steps (a small subgraph's plan) are not worth starting threads for.
  constexpr size_t kMinStepsPerThread = 4;
  const size_t helpers =
      std::min<size_t>(static_cast<size_t>(std::max(1, config.threads)),
                       std::max<size_t>(1, steps.size() / kMinStepsPerThread)) - 1;
  // Steps preparing side by side each pack on their own thread: a packing spread over all the
  // threads would contend with the other steps' (OpenMP teams spinning on shared cores).
  const int packing_threads = helpers > 0 ? 1 : config.threads;
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (size_t k = next++; k < steps.size(); k = next++) {
      const size_t s = steps[k];
      try {
        PlanPrepareContext prep(g.nodes[plan.steps[s].node], meta, config, packing_threads);
        plan.steps[s].state = g.nodes[plan.steps[s].node].kernel->prepare(prep);
        scratch_bytes[s] = prep.scratch_bytes;
        buffer_offers[s] = std::move(prep.buffer_offers);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = steps.size();  // the others stop after their current step
      }
    }
  };
  run_with_helper_threads(helpers, work);
  if (error) std::rethrow_exception(error);
}

}  // namespace

std::unique_ptr<RunState> Plan::acquire_state() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      std::unique_ptr<RunState> s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  auto state = std::make_unique<RunState>();
  void* mem = std::aligned_alloc(64, (arena_bytes + 63) / 64 * 64 + 64);
  if (!mem) throw std::bad_alloc();
  state->arena = std::shared_ptr<uint8_t>(static_cast<uint8_t*>(mem), std::free);
  state->values = value_template;
  for (size_t id = 0; id < arena_offset.size(); ++id)
    if (arena_offset[id] >= 0)
      state->values[id].tensor.set_data(state->arena.get() + arena_offset[id]);
  return state;
}

void Plan::drop_idle_states() const {
  std::vector<std::unique_ptr<RunState>> idle;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    idle.swap(pool_);
  }  // freed outside the lock
}

bool Plan::has_idle_state() const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  return !pool_.empty();
}

void Plan::release_state(std::unique_ptr<RunState> state) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(std::move(state));
}

std::shared_ptr<Plan> prepare_plan(std::shared_ptr<const Subgraph> graph,
                                   const std::vector<Value>& inputs, const KernelConfig& config) {
  auto plan = std::make_shared<Plan>();
  plan->graph = graph;
  plan->threads = std::max(1, config.threads);
  std::vector<size_t> scratch_bytes;
  std::vector<std::vector<std::pair<int, int>>> buffer_offers;  // per step
  const Subgraph& g = *graph;
  const size_t n_values = g.values.size();
  std::vector<Value> meta(n_values);
  std::vector<bool> shape_known(n_values, false);
  std::vector<bool> constant(n_values, false);
  for (size_t id = 0; id < n_values; ++id) {
    if (g.values[id].is_constant) {
      meta[id] = g.values[id].constant;
      shape_known[id] = constant[id] = true;
    }
  }
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    const Value& in = inputs[k];
    plan->input_signature.push_back(
        in.is_tensor() ? Value(Tensor::meta(in.tensor.dtype(), in.tensor.shape())) : in);
    meta[g.inputs[k]] = plan->input_signature.back();
    shape_known[g.inputs[k]] = in.is_tensor();
  }

  std::vector<const Value*> scratch;
  std::vector<size_t> to_prepare;  // static steps, prepared once every shape is known
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const CompiledNode& cn = g.nodes[n];
    PlanStep step;
    step.node = static_cast<int>(n);
    step.mode = PlanStep::Mode::kDynamic;
    bool inputs_shaped = cn.implicit_inputs.empty();
    bool inputs_constant = true;
    for (int v : cn.inputs) {
      if (v < 0) continue;
      inputs_shaped = inputs_shaped && shape_known[v];
      inputs_constant = inputs_constant && constant[v];
    }
    for (int v : cn.implicit_inputs) inputs_constant = inputs_constant && constant[v];

    if (inputs_constant && cn.kernel->foldable()) {
      // Everything this node reads is known: compute it once now.
      run_node_dynamic(g, cn, meta);
      step.mode = PlanStep::Mode::kFolded;
      for (int v : cn.outputs)
        if (v >= 0) constant[v] = shape_known[v] = value_is_known(meta[v]) || meta[v].is_sequence();
      ++plan->folded_nodes;
    } else if (inputs_shaped) {
      NodeInferContext inferred = infer_node(cn, meta, scratch);
      bool all_constant = true, any_dynamic = false;
      for (size_t i = 0; i < cn.outputs.size(); ++i) {
        const int v = cn.outputs[i];
        if (v < 0) continue;
        const auto& r = inferred.results()[i];
        using O = NodeInferContext::Outcome;
        if (r.outcome == O::kConstant) {
          meta[v] = Value(r.constant);
          constant[v] = shape_known[v] = true;
          continue;
        }
        all_constant = false;
        if (r.outcome == O::kShaped && r.dtype == DType::kString) {
          any_dynamic = true;  // strings need constructed objects, not raw arena bytes
        } else if (r.outcome == O::kShaped) {
          meta[v] = Value(Tensor::meta(r.dtype, r.shape));
          shape_known[v] = true;
        } else if (r.outcome == O::kUnset) {
          throw Error(ErrorKind::kInternal, cn.node->describe() + ": infer() left output " +
                                                std::to_string(i) + " undeclared");
        } else {
          any_dynamic = true;
        }
      }
      step.mode = all_constant  ? PlanStep::Mode::kFolded
                  : any_dynamic ? PlanStep::Mode::kDynamic
                                : PlanStep::Mode::kStatic;
      if (all_constant) ++plan->folded_nodes;
    }
    if (step.mode == PlanStep::Mode::kDynamic) ++plan->dynamic_nodes;
    if (step.mode == PlanStep::Mode::kStatic) to_prepare.push_back(plan->steps.size());
    scratch_bytes.push_back(0);
    buffer_offers.emplace_back();
    plan->steps.push_back(step);
  }
  prepare_steps(g, meta, config, to_prepare, *plan, scratch_bytes, buffer_offers);

  // Lifetimes of planned tensors, in step indices.
  const int32_t end_step = static_cast<int32_t>(plan->steps.size());
  std::vector<int32_t> first(n_values, -1), last(n_values, -1);
  for (size_t s = 0; s < plan->steps.size(); ++s) {
    const CompiledNode& cn = g.nodes[plan->steps[s].node];
    if (plan->steps[s].mode == PlanStep::Mode::kFolded) continue;
    for (int v : cn.inputs)
      if (v >= 0) last[v] = std::max(last[v], static_cast<int32_t>(s));
    for (int v : cn.implicit_inputs) last[v] = std::max(last[v], static_cast<int32_t>(s));
    if (plan->steps[s].mode == PlanStep::Mode::kStatic) {
      for (int v : cn.outputs)
        if (v >= 0 && !constant[v]) first[v] = static_cast<int32_t>(s);
    } else {
      for (int v : cn.outputs)
        if (v >= 0) plan->dynamic_values.push_back(v);
    }
  }
  for (int v : g.outputs) last[v] = end_step;
  std::vector<size_t> value_bytes(n_values, 0);
  for (size_t v = 0; v < n_values; ++v)
    if (first[v] >= 0) value_bytes[v] = meta[v].tensor.nbytes();
  const std::vector<int> owner = take_offered_buffers(
      offers_by_value(g, plan->steps, buffer_offers), first, value_bytes, last);

  std::vector<UsageRecord> records;
  std::vector<int> record_value;
  for (size_t v = 0; v < n_values; ++v) {
    if (first[v] < 0 || owner[v] != static_cast<int>(v)) continue;
    records.push_back({first[v], std::max(first[v], last[v]), meta[v].tensor.nbytes()});
    record_value.push_back(static_cast<int>(v));
  }
  // Scratch lives for its own step only, so it shares bytes with everything else.
  const size_t value_records = records.size();
  std::vector<size_t> scratch_step;
  for (size_t st = 0; st < scratch_bytes.size(); ++st) {
    if (scratch_bytes[st] == 0) continue;
    records.push_back({static_cast<int32_t>(st), static_cast<int32_t>(st), scratch_bytes[st]});
    scratch_step.push_back(st);
  }
  const MemoryPlan mem = plan_memory_greedy(records, 64);
  plan->arena_bytes = mem.arena_bytes;
  plan->arena_offset.assign(n_values, -1);
  for (size_t r = 0; r < value_records; ++r)
    plan->arena_offset[record_value[r]] = static_cast<int64_t>(mem.offsets[r]);
  for (size_t v = 0; v < n_values; ++v)
    if (first[v] >= 0 && owner[v] != static_cast<int>(v))
      plan->arena_offset[v] = plan->arena_offset[owner[v]];
  for (size_t k = 0; k < scratch_step.size(); ++k)
    plan->steps[scratch_step[k]].scratch_offset =
        static_cast<int64_t>(mem.offsets[value_records + k]);

  plan->value_template.resize(n_values);
  for (size_t v = 0; v < n_values; ++v)
    if (constant[v] || plan->arena_offset[v] >= 0) plan->value_template[v] = meta[v];
  return plan;
}

namespace {

void run_steps(const Plan* plan, const Subgraph& g, std::vector<Value>& values,
               uint8_t* arena = nullptr, StepTimes* times = nullptr,
               const StepObserver* observer = nullptr) {
  if (!plan) {
    for (const CompiledNode& cn : g.nodes) run_node_dynamic(g, cn, values);
    return;
  }
  using Clock = std::chrono::steady_clock;
  if (times) times->assign(plan->steps.size(), 0.0);
  for (size_t s = 0; s < plan->steps.size(); ++s) {
    const PlanStep& step = plan->steps[s];
    const CompiledNode& cn = g.nodes[step.node];
    if (step.mode == PlanStep::Mode::kFolded) {
      if (observer) (*observer)(s, values);
      continue;
    }
    const Clock::time_point start = times ? Clock::now() : Clock::time_point();
    if (step.mode == PlanStep::Mode::kDynamic) {
      run_node_dynamic(g, cn, values);
    } else {
      NodeRunContext ctx(cn, values);
      ctx.names_ = &g.values;
      ctx.bind_plan_step(step.state.get(),
                         step.scratch_offset >= 0 ? arena + step.scratch_offset : nullptr,
                         plan->threads);
      cn.kernel->run(ctx);
    }
    if (times) (*times)[s] = std::chrono::duration<double>(Clock::now() - start).count();
    if (observer) (*observer)(s, values);
  }
}

Value owned_copy(const Value& v) {
  if (v.is_tensor()) return Value(v.tensor.clone());
  return v;  // sequences hold tensors whose memory nothing else reuses
}

std::vector<Value> collect_outputs(const Subgraph& g, const std::vector<Value>& values) {
  std::vector<Value> out;
  out.reserve(g.outputs.size());
  for (int v : g.outputs) out.push_back(owned_copy(values[v]));
  return out;
}

}  // namespace

std::vector<Value> execute_plan(const Plan& plan, const std::vector<Value>& inputs,
                                StepTimes* times, const StepObserver* observer) {
  const Subgraph& g = *plan.graph;
  std::unique_ptr<RunState> state = plan.acquire_state();
  struct Returner {
    const Plan& plan;
    std::unique_ptr<RunState>& state;
    ~Returner() {
      for (int v : plan.dynamic_values) state->values[v] = Value();
      plan.release_state(std::move(state));
    }
  } returner{plan, state};
  std::vector<Value>& values = state->values;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    Value& slot = values[g.inputs[k]];
    const bool same_layout = inputs[k].is_tensor() && slot.is_tensor() &&
                             slot.tensor.dtype() == inputs[k].tensor.dtype() &&
                             slot.tensor.shape() == inputs[k].tensor.shape();
    if (same_layout) {
      const Tensor& t = inputs[k].tensor;
      slot.tensor.set_data(const_cast<void*>(t.raw()), t.keep_alive());  // kernels only read inputs
    } else {
      slot = inputs[k];
    }
  }
  run_steps(&plan, g, values, state->arena.get(), times, observer);
  return collect_outputs(g, values);
}

std::vector<Value> execute_dynamic(const Subgraph& g, const std::vector<Value>& inputs,
                                   const std::vector<Value>& outer_values) {
  if (inputs.size() > g.inputs.size())
    throw Error(ErrorKind::kInvalidModel, "subgraph '" + g.graph->name + "' takes " +
                                              std::to_string(g.inputs.size()) + " inputs, got " +
                                              std::to_string(inputs.size()));
  std::vector<Value> values(g.values.size());
  for (size_t id = 0; id < g.values.size(); ++id)
    if (g.values[id].is_constant) values[id] = g.values[id].constant;
  for (size_t k = 0; k < inputs.size(); ++k) values[g.inputs[k]] = inputs[k];
  for (size_t k = 0; k < g.outer_refs.size(); ++k) values[g.outer_refs[k]] = outer_values[k];
  run_steps(nullptr, g, values);
  return collect_outputs(g, values);
}

}  // namespace infera
