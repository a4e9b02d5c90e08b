// The executor takes a kernel's offer to write its output over an input's buffer
// (PrepareContext::offer_input_buffer) only when that is safe: Flatten then moves no bytes.
#include <mutex>

#include "opt_test_util.h"
#include "runtime/executor.h"

namespace infera::testing {
namespace {

// x -> Relu -> a -> Flatten -> b [2, 12] -> Transpose -> y [12, 2], and (when `a_read_later`)
// y2 = Neg(a) after it.
Model flatten_model(bool a_read_later) {
  Model m = make_model();
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("x", {2, 3, 4}));
  g.nodes.push_back(make_node("Relu", {"x"}, {"a"}));
  g.nodes.push_back(make_node("Flatten", {"a"}, {"b"}, {int_attr("axis", 1)}));
  g.nodes.push_back(make_node("Transpose", {"b"}, {"y"}));
  g.outputs = {tensor_value("y", {12, 2})};
  if (a_read_later) {
    g.nodes.push_back(make_node("Neg", {"a"}, {"y2"}));
    g.outputs.push_back(tensor_value("y2", {2, 3, 4}));
  }
  return m;
}

// The data pointers of Flatten's input and output, seen right after it ran (step 1).
std::pair<const void*, const void*> flatten_buffers(const Model& m, const Tensor& x,
                                                    std::vector<Value>& outputs) {
  const KernelConfig config{.reference_only = true};
  auto compiled = compile_graph(m.graph, m, nullptr, &config);
  std::vector<Value> inputs{Value(x)};
  auto plan = prepare_plan(compiled, inputs, config);
  const void* in = nullptr;
  const void* out = nullptr;
  const StepObserver observer = [&](size_t step, const std::vector<Value>& values) {
    // Relu's output a: the first [2, 3, 4] value after x (values are numbered in graph order;
    // y2 comes later).
    if (step == 0)
      for (const Value& v : values)
        if (!in && v.is_tensor() && v.tensor.has_data() && v.tensor.shape() == Shape{2, 3, 4} &&
            v.tensor.raw() != x.raw())
          in = v.tensor.raw();
    if (step == 1)
      for (const Value& v : values)
        if (v.is_tensor() && v.tensor.has_data() && v.tensor.shape() == Shape{2, 12})
          out = v.tensor.raw();
  };
  outputs = execute_plan(*plan, inputs, nullptr, &observer);
  return {in, out};
}

TEST(ExecutorBufferOffers, FlattenTakesItsInputsBuffer) {
  const Tensor x = random_tensor({2, 3, 4}, 7);
  std::vector<Value> out;
  const auto [in, flat] = flatten_buffers(flatten_model(false), x, out);
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in, flat);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 12; ++j)
      EXPECT_EQ(out[0].tensor.data<float>()[j * 2 + i], std::max(0.f, x.data<float>()[i * 12 + j]));
}

TEST(ExecutorBufferOffers, RefusedWhileTheInputIsStillRead) {
  const Tensor x = random_tensor({2, 3, 4}, 8);
  std::vector<Value> out;
  const auto [in, flat] = flatten_buffers(flatten_model(true), x, out);
  ASSERT_NE(in, nullptr);
  EXPECT_NE(in, flat);
  for (int64_t i = 0; i < x.numel(); ++i)
    EXPECT_EQ(out[1].tensor.data<float>()[i], -std::max(0.f, x.data<float>()[i]));
}

// The thread governor skips a cold run (Session::run_values): one whose plan had no arena left
// by an earlier run, as on its first run and after drop_idle_states().
TEST(ExecutorRunStates, ARunLeavesItsArenaForTheNextUntilDropped) {
  const Model m = flatten_model(false);
  const KernelConfig config{.reference_only = true};
  auto compiled = compile_graph(m.graph, m, nullptr, &config);
  const std::vector<Value> inputs{Value(random_tensor({2, 3, 4}, 9))};
  auto plan = prepare_plan(compiled, inputs, config);
  EXPECT_FALSE(plan->has_idle_state());
  execute_plan(*plan, inputs);
  EXPECT_TRUE(plan->has_idle_state());
  plan->drop_idle_states();
  EXPECT_FALSE(plan->has_idle_state());
}

// Records PrepareContext::packing_threads() at prepare and passes its input through.
std::mutex probe_mutex;
std::vector<int> probe_packing_threads;

class PackingThreadsProbe final : public OpKernel {
 public:
  explicit PackingThreadsProbe(const KernelInit&) {}
  void infer(InferContext& ctx) const override {
    ctx.set_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
  }
  std::shared_ptr<void> prepare(PrepareContext& ctx) const override {
    std::lock_guard<std::mutex> lock(probe_mutex);
    probe_packing_threads.push_back(ctx.packing_threads());
    return nullptr;
  }
  void run(RunContext& ctx) const override { ctx.input(0).copy_to(ctx.output(0)); }
};

const bool probe_registered = register_op(
    {"test.packing", "Probe", 1, 1000,
     [](const KernelInit& init) -> std::unique_ptr<OpKernel> {
       return std::make_unique<PackingThreadsProbe>(init);
     }});

// The packing threads each of `probes` chained probes saw when a plan was prepared with
// `threads` threads.
std::vector<int> packing_threads_seen(int probes, int threads) {
  Model m = make_model();
  m.opsets.push_back(OpsetImport{"test.packing", 1});
  Graph& g = *m.graph;
  g.inputs.push_back(tensor_value("v0", {4}));
  for (int i = 0; i < probes; ++i) {
    Node n = make_node("Probe", {"v" + std::to_string(i)}, {"v" + std::to_string(i + 1)});
    n.domain = "test.packing";
    g.nodes.push_back(n);
  }
  g.outputs = {tensor_value("v" + std::to_string(probes), {4})};
  const KernelConfig config{.threads = threads};
  auto compiled = compile_graph(m.graph, m, nullptr, &config);
  {
    std::lock_guard<std::mutex> lock(probe_mutex);
    probe_packing_threads.clear();
  }
  const std::vector<Value> inputs{Value(random_tensor({4}, 11))};
  auto plan = prepare_plan(compiled, inputs, config);
  const std::vector<Value> out = execute_plan(*plan, inputs);
  EXPECT_EQ(out[0].tensor.data<float>()[3], inputs[0].tensor.data<float>()[3]);
  std::lock_guard<std::mutex> lock(probe_mutex);
  return probe_packing_threads;
}

// Nodes preparing side by side pack weights on one thread each (a packing on every thread
// would contend with the other nodes'); a node preparing alone packs on all of them.
TEST(ExecutorPrepare, NodesPreparedSideBySidePackOnOneThreadEach) {
  ASSERT_TRUE(probe_registered);
  EXPECT_EQ(packing_threads_seen(12, 2), std::vector<int>(12, 1));
  EXPECT_EQ(packing_threads_seen(12, 1), std::vector<int>(12, 1));
  EXPECT_EQ(packing_threads_seen(2, 3), std::vector<int>(2, 3));
}

}  // namespace
}  // namespace infera::testing
