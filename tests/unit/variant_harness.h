// Runs one node the way a planned session does: the highest-priority kernel variant that
// applies (with chosen inputs visible as load-time constants), then infer -> prepare (with its
// scratch) -> run. For tests that compare fast variants with the reference kernels.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel_harness.h"
#include "ops/cpu/simd/dispatch.h"

namespace infera::testing {

// Runs `body(isa)` at every SIMD level this CPU has, then goes back to the best one.
template <class Body>
void at_each_simd_level(Body body) {
  using simd::SimdLevel;
  for (SimdLevel level : {SimdLevel::kPortable, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    if (static_cast<int>(level) > static_cast<int>(simd::best_supported_simd_level())) continue;
    simd::force_simd_level_for_testing(level);
    body(std::string(simd::simd_kernels().isa));
  }
  simd::force_simd_level_for_testing(simd::best_supported_simd_level());
}

// Values in [-1, 1) from a linear congruential generator: the same on every platform. `salt`
// keeps the test files' streams apart.
inline Tensor lcg_tensor(Shape shape, uint32_t seed, uint32_t salt) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(shape));
  uint32_t s = seed * 2654435761u + salt;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<float>()[i] = static_cast<float>(s >> 8) / 16777216.f * 2.f - 1.f;
  }
  return t;
}

// Image `n` of a float32 batch (its first axis) as a batch of one: the "one sample alone"
// side of the same-bits-as-in-a-batch tests.
inline Tensor batch_item(const Tensor& batch, int64_t n) {
  Shape shape = batch.shape();
  shape[0] = 1;
  Tensor item = Tensor::empty(DType::kFloat32, shape);
  std::memcpy(item.raw(), batch.data<float>() + n * item.numel(), item.nbytes());
  return item;
}

// Every element within `tolerance`, relative to the expected value where that exceeds 1.
inline void expect_close(const Tensor& expected, const Tensor& actual, float tolerance) {
  ASSERT_EQ(expected.shape(), actual.shape());
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const float e = expected.data<float>()[i], a = actual.data<float>()[i];
    ASSERT_NEAR(e, a, tolerance * std::max(1.f, std::fabs(e))) << "at element " << i;
  }
}

class HarnessPrepareContext final : public PrepareContext {
 public:
  HarnessPrepareContext(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs,
                        const KernelConfig& config)
      : inputs_(inputs), outputs_(outputs), config_(config) {}
  int num_inputs() const override { return static_cast<int>(inputs_.size()); }
  bool has_input(int i) const override { return i < num_inputs() && inputs_[i].defined(); }
  const Tensor& input(int i) const override { return inputs_[i]; }
  int num_outputs() const override { return static_cast<int>(outputs_.size()); }
  const Tensor& output(int i) const override { return outputs_[i]; }
  void request_scratch(size_t bytes) override { scratch_bytes = bytes; }
  void offer_input_buffer(int input, int output) override {
    buffer_offers.push_back({input, output});
  }
  const KernelConfig& config() const override { return config_; }
  size_t scratch_bytes = 0;
  std::vector<std::pair<int, int>> buffer_offers;  // (input, output)

 private:
  const std::vector<Tensor>& inputs_;
  const std::vector<Tensor>& outputs_;
  const KernelConfig& config_;
};

// A run context that also hands over the prepared state, scratch and thread count.
class PlannedRunContext final : public RunContext {
 public:
  PlannedRunContext(HarnessRunContext& inner, void* state, void* scratch, int threads)
      : inner_(inner), state_(state), scratch_(scratch), threads_(threads) {}
  int num_inputs() const override { return inner_.num_inputs(); }
  bool has_input(int i) const override { return inner_.has_input(i); }
  const Value& input_value(int i) const override { return inner_.input_value(i); }
  int num_outputs() const override { return inner_.num_outputs(); }
  bool has_output(int i) const override { return inner_.has_output(i); }
  Tensor& output(int i) override { return inner_.output(i); }
  Tensor& allocate_output(int i, DType dtype, const Shape& shape) override {
    return inner_.allocate_output(i, dtype, shape);
  }
  void set_output_value(int i, Value value) override { inner_.set_output_value(i, value); }
  std::vector<Value> run_subgraph(const Subgraph& g, const std::vector<Value>& in) override {
    return inner_.run_subgraph(g, in);
  }
  const Node& node() const override { return inner_.node(); }
  void* node_state() const override { return state_; }
  void* scratch() const override { return scratch_; }
  int threads() const override { return threads_; }

 private:
  HarnessRunContext& inner_;
  void* state_;
  void* scratch_;
  int threads_;
};

struct VariantResult {
  std::string kernel_name;
  std::vector<Tensor> outputs;
};

// `constant[i]` marks input i as an initializer. With `prepare` false the kernel runs
// unplanned, as dynamic and folded nodes do. With `take_offers`, an output the kernel offered
// to write over an input's buffer (PrepareContext::offer_input_buffer) gets that buffer, holding
// a copy of the input, as the executor's planner arranges it.
inline VariantResult run_variant(const Node& node, int64_t opset, const std::vector<Tensor>& inputs,
                                 const std::vector<bool>& constant, int num_outputs,
                                 const KernelConfig& config = {}, bool prepare = true,
                                 bool take_offers = false) {
  auto lookup = [&](int i) -> const Tensor* {
    return i < static_cast<int>(constant.size()) && constant[i] ? &inputs[i] : nullptr;
  };
  KernelInit init(node, opset, nullptr, nullptr, lookup, &config);
  std::unique_ptr<OpKernel> kernel;
  for (const OpRegistration* r : find_op_variants(node.domain, node.op_type, opset))
    if ((kernel = r->factory(init))) break;
  if (!kernel) throw std::runtime_error("no kernel for " + node.op_type);

  std::vector<Value> values(inputs.begin(), inputs.end());
  std::vector<const Value*> pointers;
  for (const Value& v : values) pointers.push_back(v.tensor.defined() ? &v : nullptr);
  HarnessInferContext ictx(node, pointers.data(), static_cast<int>(pointers.size()), num_outputs);
  kernel->infer(ictx);
  std::vector<Tensor> outputs(static_cast<size_t>(num_outputs));
  for (int i = 0; i < num_outputs; ++i) outputs[i] = Tensor::empty(ictx.dtypes[i], ictx.shapes[i]);

  std::shared_ptr<void> state;
  std::vector<char> scratch;
  if (prepare) {
    HarnessPrepareContext pctx(inputs, outputs, config);
    state = kernel->prepare(pctx);
    scratch.resize(pctx.scratch_bytes);
    for (const auto& [input, output] :
         take_offers ? pctx.buffer_offers : std::vector<std::pair<int, int>>{}) {
      if (outputs[output].nbytes() != inputs[input].nbytes()) continue;
      inputs[input].copy_to(outputs[output]);
      values[input] = Value(outputs[output]);  // shares the output's bytes
    }
  }
  HarnessRunContext inner(node, values, outputs);
  PlannedRunContext rctx(inner, state.get(), scratch.empty() ? nullptr : scratch.data(),
                         config.threads);
  kernel->run(rctx);
  return {kernel->plan_kernel_name(state.get()), std::move(outputs)};
}

}  // namespace infera::testing
