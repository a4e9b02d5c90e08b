#include <algorithm>
#include <chrono>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/file_pages.h"
#include "core/helper_threads.h"
#include "infera/infera.h"
#include "onnx/onnx_reader.h"
#include "ops/cpu/onednn_common.h"
#include "opt/rewrite.h"
#include "runtime/compiled_graph.h"
#include "runtime/executor.h"
#include "runtime/thread_governor.h"

namespace infera {

std::string TensorInfo::describe() const {
  if (kind != "tensor") return kind + " of " + dtype_name(dtype);
  std::string s = dtype_name(dtype);
  if (!has_shape) return s + " (any shape)";
  s += " [";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    if (shape[i] >= 0) {
      s += std::to_string(shape[i]);
    } else {
      const bool named = i < dim_names.size() && !dim_names[i].empty();
      s += named ? dim_names[i] : "?";
    }
  }
  return s + "]";
}

class SessionImpl {
 public:
  std::shared_ptr<Model> model;
  std::shared_ptr<Subgraph> graph;
  SessionOptions options;
  KernelConfig config;
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  ModelInfo info;

  // The plan for these inputs' signature, prepared for `threads` (0: the session's count).
  std::shared_ptr<const Plan> plan_for(const std::vector<Value>& inputs, int threads = 0) const;
  void check_inputs(const std::vector<Value>& values, bool need_data) const;
  // Deterministic sessions on several threads drop to one thread while that runs faster
  // (another process holding a core); null when the thread count is fixed.
  ThreadGovernor* governor_for(const std::vector<Value>& inputs) const;

 private:
  mutable std::shared_mutex plans_mutex_;
  mutable std::unordered_map<uint64_t, std::vector<std::shared_ptr<const Plan>>> plans_;
  mutable std::unordered_map<uint64_t, std::unique_ptr<ThreadGovernor>> governors_;
};

namespace {

TensorInfo tensor_info_of(const ValueInfo& vi) {
  TensorInfo info;
  info.name = vi.name;
  const TypeInfo* t = &vi.type;
  if (t->kind == TypeInfo::Kind::kSequence) info.kind = "sequence";
  if (t->kind == TypeInfo::Kind::kOptional) info.kind = "optional";
  while ((t->kind == TypeInfo::Kind::kSequence || t->kind == TypeInfo::Kind::kOptional) && t->inner)
    t = t->inner.get();
  info.dtype = t->elem_type;
  info.has_shape = t->kind == TypeInfo::Kind::kTensor && t->has_shape && info.kind == "tensor";
  if (info.has_shape) {
    for (const Dim& d : t->dims) {
      info.shape.push_back(d.value >= 0 ? d.value : -1);
      info.dim_names.push_back(d.value >= 0 ? std::string() : d.param);
    }
  }
  return info;
}

ModelInfo model_info_of(const Model& model) {
  ModelInfo info;
  info.ir_version = model.ir_version;
  info.producer =
      model.producer_name + (model.producer_version.empty() ? "" : " " + model.producer_version);
  info.graph_name = model.graph->name;
  for (const OpsetImport& o : model.opsets)
    info.opsets.push_back({o.domain.empty() ? "ai.onnx" : o.domain, o.version});
  info.metadata = model.metadata;
  for (const Node& n : model.graph->nodes) {
    ++info.op_counts[(n.domain.empty() ? "" : n.domain + ".") + n.op_type];
    ++info.node_count;
  }
  for (const Initializer& init : model.graph->initializers) {
    info.parameter_count += init.tensor.numel();
    info.parameter_bytes += static_cast<int64_t>(init.tensor.nbytes());
  }
  return info;
}

uint64_t signature_hash(const std::vector<Value>& inputs) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t x) { h = (h ^ x) * 1099511628211ull; };
  for (const Value& v : inputs) {
    mix(static_cast<uint64_t>(v.kind));
    if (!v.is_tensor()) continue;
    mix(static_cast<uint64_t>(v.tensor.dtype()));
    mix(v.tensor.shape().size());
    for (int64_t d : v.tensor.shape()) mix(static_cast<uint64_t>(d));
  }
  return h;
}

bool same_signature(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].kind != b[i].kind) return false;
    if (a[i].is_tensor() &&
        (a[i].tensor.dtype() != b[i].tensor.dtype() || a[i].tensor.shape() != b[i].tensor.shape()))
      return false;
  }
  return true;
}

}  // namespace

void SessionImpl::check_inputs(const std::vector<Value>& values, bool need_data) const {
  if (values.size() != inputs.size()) {
    std::string names;
    for (const TensorInfo& t : inputs) names += (names.empty() ? "" : ", ") + t.name;
    throw Error(ErrorKind::kInvalidArgument, "the model takes " + std::to_string(inputs.size()) +
                                                 " input(s) (" + names + "), got " +
                                                 std::to_string(values.size()));
  }
  for (size_t k = 0; k < values.size(); ++k) {
    const TensorInfo& want = inputs[k];
    const Value& got = values[k];
    const std::string expected =
        "input '" + want.name + "': expected " + want.describe() + ", got ";
    if (want.kind == "tensor" && !got.is_tensor())
      throw Error(ErrorKind::kInvalidArgument, expected + describe_value(got));
    if (!got.is_tensor()) continue;
    const Tensor& t = got.tensor;
    if (want.dtype != DType::kUndefined && t.dtype() != want.dtype)
      throw Error(ErrorKind::kInvalidArgument, expected + describe_value(got));
    if (!want.has_shape) continue;
    bool fits = static_cast<size_t>(t.rank()) == want.shape.size();
    for (size_t d = 0; fits && d < want.shape.size(); ++d)
      fits = want.shape[d] < 0 || want.shape[d] == t.dim(static_cast<int>(d));
    if (!fits) throw Error(ErrorKind::kInvalidArgument, expected + describe_value(got));
    if (need_data && !t.has_data())
      throw Error(ErrorKind::kInvalidArgument, "input '" + want.name + "' has no data");
  }
}

std::shared_ptr<const Plan> SessionImpl::plan_for(const std::vector<Value>& values,
                                                  int threads) const {
  KernelConfig plan_config = config;
  if (threads > 0) plan_config.threads = threads;
  auto matches = [&](const std::shared_ptr<const Plan>& p) {
    return p->threads == plan_config.threads && same_signature(p->input_signature, values);
  };
  const uint64_t key = signature_hash(values);
  {
    std::shared_lock<std::shared_mutex> lock(plans_mutex_);
    auto it = plans_.find(key);
    if (it != plans_.end())
      for (const auto& p : it->second)
        if (matches(p)) return p;
  }
  // Prepared outside the lock; if two threads race, both plans are valid and one is kept.
  std::shared_ptr<const Plan> plan = prepare_plan(graph, values, plan_config);
  std::unique_lock<std::shared_mutex> lock(plans_mutex_);
  for (const auto& p : plans_[key])
    if (matches(p)) return p;
  plans_[key].push_back(plan);
  return plan;
}

ThreadGovernor* SessionImpl::governor_for(const std::vector<Value>& values) const {
  if (!config.deterministic || config.threads <= 1 || config.reference_only) return nullptr;
  // One per input signature (a hash collision only shares the statistics), since run times
  // of different shapes are not comparable.
  const uint64_t key = signature_hash(values);
  {
    std::shared_lock<std::shared_mutex> lock(plans_mutex_);
    auto it = governors_.find(key);
    if (it != governors_.end()) return it->second.get();
  }
  std::unique_lock<std::shared_mutex> lock(plans_mutex_);
  auto& governor = governors_[key];
  if (!governor) governor = std::make_unique<ThreadGovernor>(config.threads);
  return governor.get();
}

Session::Session(std::unique_ptr<SessionImpl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

namespace {

void collect_read_names(const Graph& graph, std::unordered_set<std::string>& read) {
  for (const Node& node : graph.nodes) {
    read.insert(node.inputs.begin(), node.inputs.end());
    for (const Attribute& a : node.attributes) {
      if (a.g) collect_read_names(*a.g, read);
      for (const auto& g : a.graphs) collect_read_names(*g, read);
    }
  }
  for (const ValueInfo& out : graph.outputs) read.insert(out.name);
}

// Gives back the file pages of initializers that optimization left unread (Conv+BatchNorm
// folding writes new weights, for one): reading them to fold made them resident, and the
// mapping would keep them in the process's memory for its whole life.
void release_unread_initializers(const Graph& graph) {
  std::unordered_set<std::string> read;
  collect_read_names(graph, read);
  for (const Initializer& init : graph.initializers)
    if (!read.count(init.name)) release_file_pages(init.tensor.raw(), init.tensor.nbytes());
}

std::unique_ptr<SessionImpl> impl_from_model(std::shared_ptr<Model> model,
                                             const SessionOptions& options) {
  auto impl = std::make_unique<SessionImpl>();
  impl->model = std::move(model);
  impl->options = options;
  if (options.threads < 0)
    throw Error(ErrorKind::kInvalidArgument, "threads must be 0 (automatic) or positive, got " +
                                                 std::to_string(options.threads));
  impl->config.threads = options.threads > 0 ? options.threads : usable_cores();
  impl->config.reference_only = options.reference_kernels;
  impl->config.bf16 = options.bf16;
  impl->config.deterministic = options.deterministic;
  if (options.optimize) {
    OptimizeOptions optimize;
    optimize.bf16 = options.bf16;
    // bfloat16 tensors only where the oneDNN convs will compute on them natively.
    optimize.bf16_activations =
        options.bf16 && !options.reference_kernels && onednn::cpu_has_bf16();
    optimize_model(*impl->model, optimize);
    release_unread_initializers(*impl->model->graph);
  }
  impl->graph = compile_graph(impl->model->graph, *impl->model, nullptr, &impl->config);
  materialize_constants(*impl->graph);
  for (const ValueInfo& vi : impl->graph->input_infos) impl->inputs.push_back(tensor_info_of(vi));
  for (const ValueInfo& vi : impl->graph->output_infos) impl->outputs.push_back(tensor_info_of(vi));
  impl->info = model_info_of(*impl->model);
  return impl;
}
}  // namespace

Session Session::load(const std::string& path, const SessionOptions& options) {
  return Session(impl_from_model(read_onnx_model(path), options));
}

Session Session::load_from_memory(const uint8_t* data, size_t size, const SessionOptions& options) {
  return Session(impl_from_model(read_onnx_model_from_memory(data, size, nullptr, ""), options));
}

const std::vector<TensorInfo>& Session::inputs() const {
  return impl_->inputs;
}
const std::vector<TensorInfo>& Session::outputs() const {
  return impl_->outputs;
}
const ModelInfo& Session::info() const {
  return impl_->info;
}

std::vector<Value> Session::run_values(const std::vector<Value>& inputs) const {
  impl_->check_inputs(inputs, true);
  ThreadGovernor* governor = impl_->governor_for(inputs);
  if (!governor) return execute_plan(*impl_->plan_for(inputs), inputs);
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  const int threads = governor->choose(seconds(Clock::now()));
  std::shared_ptr<const Plan> plan = impl_->plan_for(inputs, threads);
  // A plan's first run (and a try's after its arena was dropped) is cold: new arena pages,
  // first executions in oneDNN. ResNet-50's first run took 2-5x a warm one, and counting it
  // made a fresh session switch to one thread. It measures nothing; a try is taken again.
  const bool cold = !plan->has_idle_state();
  const Clock::time_point start = Clock::now();  // preparing a plan is not the run's time
  std::vector<Value> outputs;
  try {
    outputs = execute_plan(*plan, inputs);
  } catch (...) {
    governor->abandon(threads);  // a failed run measures nothing
    throw;
  }
  const Clock::time_point end = Clock::now();
  if (cold)
    governor->abandon(threads);
  else
    governor->record(threads, std::chrono::duration<double>(end - start).count(), seconds(end));
  // A try that lost: its plan's arena (as big as the other plan's) is not kept between tries.
  if (!cold && threads != governor->current_threads() && !governor->trying())
    plan->drop_idle_states();
  return outputs;
}

int Session::warm_up(const std::vector<Value>& inputs) const {
  impl_->check_inputs(inputs, true);
  ThreadGovernor* governor = impl_->governor_for(inputs);
  // A cold first run and a warm one; a governor's first try takes a few more (its settling
  // runs, the try's own cold run and kTryRuns, and after a move to one thread the confirming
  // try), and a bound keeps a try that keeps being abandoned from running forever.
  constexpr int kWarmRuns = 2;
  constexpr int kMaxRuns = kWarmRuns +
                           2 * (ThreadGovernor::kSettleRuns + 1 + ThreadGovernor::kTryRuns) +
                           ThreadGovernor::kWindow + 1 + ThreadGovernor::kTryRuns;  // confirming
  int runs = 0;
  do {
    run_values(inputs);
    ++runs;
  } while (runs < kWarmRuns || (governor && !governor->settled() && runs < kMaxRuns));
  return runs;
}

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) const {
  std::vector<Value> values(inputs.begin(), inputs.end());
  std::vector<Value> results = run_values(values);
  std::vector<Tensor> out;
  out.reserve(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].is_tensor())
      throw Error(ErrorKind::kInvalidArgument,
                  "output '" + impl_->outputs[i].name + "' is not a tensor; use run_values()");
    out.push_back(std::move(results[i].tensor));
  }
  return out;
}

std::vector<Tensor> Session::run(const std::map<std::string, Tensor>& inputs) const {
  for (const auto& [name, tensor] : inputs) {
    bool known = false;
    for (const TensorInfo& want : impl_->inputs) known |= want.name == name;
    if (!known) {
      std::string names;
      for (const TensorInfo& t : impl_->inputs) names += (names.empty() ? "" : ", ") + t.name;
      throw Error(ErrorKind::kInvalidArgument,
                  "the model has no input named '" + name + "' (its inputs: " + names + ")");
    }
  }
  std::vector<Tensor> ordered;
  for (const TensorInfo& want : impl_->inputs) {
    auto it = inputs.find(want.name);
    if (it == inputs.end())
      throw Error(ErrorKind::kInvalidArgument,
                  "input '" + want.name + "' (" + want.describe() + ") was not given");
    ordered.push_back(it->second);
  }
  return run(ordered);
}

namespace {

std::string node_display_name(const CompiledNode& cn) {
  if (!cn.node->name.empty()) return cn.node->name;
  return cn.node->outputs.empty() ? std::string() : cn.node->outputs[0];
}

}  // namespace

std::vector<Value> Session::run_profiled(const std::vector<Value>& inputs,
                                         std::vector<NodeProfile>& profile) const {
  impl_->check_inputs(inputs, true);
  std::shared_ptr<const Plan> plan = impl_->plan_for(inputs);
  StepTimes times;
  std::vector<Value> outputs = execute_plan(*plan, inputs, &times);
  profile.clear();
  for (size_t s = 0; s < plan->steps.size(); ++s) {
    if (plan->steps[s].mode == PlanStep::Mode::kFolded) continue;
    const CompiledNode& cn = plan->graph->nodes[plan->steps[s].node];
    NodeProfile p;
    p.node = node_display_name(cn);
    p.op = cn.node->op_type;
    p.kernel = cn.kernel->plan_kernel_name(plan->steps[s].state.get());
    const int out = cn.outputs.empty() ? -1 : cn.outputs[0];
    const Value& meta = out >= 0 ? plan->value_template[out] : Value();
    p.shape = meta.is_tensor() && meta.tensor.defined() ? shape_to_string(meta.tensor.shape())
                                                        : "dynamic";
    p.seconds = times[s];
    profile.push_back(std::move(p));
  }
  return outputs;
}

std::vector<Value> Session::run_observed(
    const std::vector<Value>& inputs,
    const std::function<void(const NodeOutputs&)>& observer) const {
  impl_->check_inputs(inputs, true);
  std::shared_ptr<const Plan> plan = impl_->plan_for(inputs);
  const Subgraph& g = *plan->graph;
  const StepObserver show_step = [&](size_t s, const std::vector<Value>& values) {
    const CompiledNode& cn = g.nodes[plan->steps[s].node];
    NodeOutputs shown;
    shown.node = node_display_name(cn);
    shown.op = cn.node->op_type;
    shown.kernel = cn.kernel->plan_kernel_name(plan->steps[s].state.get());
    shown.folded = plan->steps[s].mode == PlanStep::Mode::kFolded;
    for (int v : cn.outputs) {
      if (v < 0) continue;  // an optional output the model leaves unnamed
      shown.names.push_back(g.values[v].name);
      shown.values.push_back(&values[v]);
    }
    observer(shown);
  };
  return execute_plan(*plan, inputs, nullptr, &show_step);
}

int Session::threads() const {
  return impl_->config.threads;
}

PlanInfo Session::prepare(const std::vector<Value>& inputs) const {
  impl_->check_inputs(inputs, false);
  std::shared_ptr<const Plan> plan = impl_->plan_for(inputs);
  return PlanInfo{plan->arena_bytes, static_cast<int>(plan->steps.size()), plan->folded_nodes,
                  plan->dynamic_nodes};
}

}  // namespace infera
