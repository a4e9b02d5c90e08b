// A node's run as a kernel it delegates to sees it with some inputs and output 0 replaced by
// staged copies (a channels-first copy of channels-last tensors, a transposed operand), the
// rest passed through to the outer run. Used by kernels that wrap a plain reference kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "ops/op.h"

namespace infera {

// Memory for the staged copies: each tensor 64-byte aligned, carved in turn from the scratch
// prepare() asked for (staged_scratch_bytes of the same tensors), or from memory of its own on
// an unplanned run, which may allocate.
class StagedTensors {
 public:
  static size_t aligned(size_t bytes) { return (bytes + 63) / 64 * 64; }
  // What prepare() requests for staged tensors of these sizes: each aligned, plus the slack to
  // align the start.
  static size_t scratch_bytes(std::initializer_list<size_t> tensor_bytes) {
    size_t total = 64;
    for (size_t b : tensor_bytes) total += aligned(b);
    return total;
  }
  StagedTensors(RunContext& ctx, size_t scratch_bytes) {
    char* base = static_cast<char*>(ctx.scratch());
    if (!base) {
      owned_.resize(scratch_bytes);
      base = owned_.data();
    }
    next_ = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + 63) / 64 * 64);
  }
  Tensor carve(DType dtype, const Shape& shape) {
    Tensor t(dtype, shape, next_);
    next_ += aligned(t.nbytes());
    return t;
  }

 private:
  std::vector<char> owned_;
  char* next_ = nullptr;
};

class StagedRunContext final : public RunContext {
 public:
  // staged_inputs[i], when a defined tensor, stands for input i; staged_y for output 0.
  StagedRunContext(RunContext& outer, std::vector<Value> staged_inputs, Tensor staged_y)
      : outer_(outer), inputs_(std::move(staged_inputs)), y_(std::move(staged_y)) {}
  int num_inputs() const override { return outer_.num_inputs(); }
  bool has_input(int i) const override { return outer_.has_input(i); }
  const Value& input_value(int i) const override {
    if (static_cast<size_t>(i) < inputs_.size()) {
      const Value& staged = inputs_[static_cast<size_t>(i)];
      if (staged.is_tensor() && staged.tensor.defined()) return staged;
    }
    return outer_.input_value(i);
  }
  int num_outputs() const override { return outer_.num_outputs(); }
  bool has_output(int i) const override { return outer_.has_output(i); }
  Tensor& output(int i) override { return i == 0 ? y_ : outer_.output(i); }
  Tensor& allocate_output(int i, DType dtype, const Shape& shape) override {
    if (i == 0) fail("a staged output cannot be dynamic");
    return outer_.allocate_output(i, dtype, shape);
  }
  void set_output_value(int i, Value value) override {
    outer_.set_output_value(i, std::move(value));
  }
  std::vector<Value> run_subgraph(const Subgraph& graph,
                                  const std::vector<Value>& inputs) override {
    return outer_.run_subgraph(graph, inputs);
  }
  const Node& node() const override { return outer_.node(); }
  int threads() const override { return outer_.threads(); }

 private:
  RunContext& outer_;
  std::vector<Value> inputs_;
  Tensor y_;
};

}  // namespace infera
