// Infera: run trained ONNX models from C++.
//
// Worked example: classify one 28x28 grey image with the bundled Fashion-MNIST model.
//
//   #include <infera/infera.h>
//
//   infera::Session session = infera::Session::load("models/fashion_mnist/fashion_mnist_cnn.onnx");
//   infera::Tensor image = infera::Tensor::empty(infera::DType::kFloat32, {1, 1, 28, 28});
//   float* pixels = image.data<float>();          // fill with values in [0, 1]
//   std::vector<infera::Tensor> out = session.run({image});
//   const float* logits = out[0].data<float>();    // [1, 10]
//   int best = std::max_element(logits, logits + 10) - logits;
//
// The lifecycle is load -> prepare -> run. load() reads and validates the model (every node is
// checked against the operator registry, so an unsupported op fails here, naming the node).
// The first run() for a new set of input shapes prepares a plan (shape inference, constant
// folding, memory planning into one arena) and caches it; later runs with the same shapes
// reuse it and allocate nothing but their results. run() may be called from many threads on
// one Session at once. Errors are infera::Error exceptions whose message names what was
// expected and what came.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infera/error.h"
#include "infera/tensor.h"
#include "infera/value.h"

namespace infera {

struct SessionOptions {
  int threads = 0;                 // 0: the cores this process may use (affinity and cgroup)
  bool reference_kernels = false;  // only the plain reference kernels (the test oracle)
  bool bf16 = false;               // Conv/MatMul/Gemm in bfloat16 where the CPU has it
  bool optimize = true;            // graph rewrites at load (src/opt/): folding and fusions
  // Bitwise-identical outputs whatever the thread count, and a sample's result independent of
  // the batch it is in (kernels keep one reduction order). Run-to-run identity always holds.
  // Since the thread count then cannot change results, run() also drops to one thread while
  // that is faster, as when another process holds one of the cores (src/runtime/thread_governor.h).
  // On by default: its cost was within run-to-run noise on the zoo (docs/DECISIONS.md).
  bool deterministic = true;
};

// Where one run spent its time, per executed node.
struct NodeProfile {
  std::string node;    // the node's name, or its first output
  std::string op;      // op type
  std::string kernel;  // kernel chosen: "reference", "conv_f32_onednn", ...
  std::string shape;   // first output's shape
  double seconds = 0;
};

// One executed node's outputs, as run_observed() shows them.
struct NodeOutputs {
  std::string node;                  // the node's name, or its first output
  std::string op;                    // op type
  std::string kernel;                // kernel chosen
  bool folded = false;               // computed once at prepare (constants, shape arithmetic)
  std::vector<std::string> names;    // output value names
  std::vector<const Value*> values;  // valid only during the callback: copy what you keep
};

// A declared graph input or output.
struct TensorInfo {
  std::string name;
  std::string kind = "tensor";  // "tensor", "sequence" or "optional"
  DType dtype = DType::kUndefined;
  bool has_shape = false;
  std::vector<int64_t> shape;          // -1 for a dynamic dimension
  std::vector<std::string> dim_names;  // symbolic names ("batch"), "" when fixed or unnamed
  std::string describe() const;        // "float32 [batch, 1, 28, 28]"
};

struct OpsetInfo {
  std::string domain;
  int64_t version = 0;
};

// What `infera inspect` shows.
struct ModelInfo {
  int64_t ir_version = 0;
  std::string producer;
  std::string graph_name;
  std::vector<OpsetInfo> opsets;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::map<std::string, int> op_counts;
  int64_t parameter_count = 0;  // elements in initializers
  int64_t parameter_bytes = 0;
  int node_count = 0;
};

// Facts about the plan prepared for one input-shape signature.
struct PlanInfo {
  size_t arena_bytes = 0;
  int steps = 0;
  int folded_nodes = 0;
  int dynamic_nodes = 0;
};

class SessionImpl;

class Session {
 public:
  static Session load(const std::string& path, const SessionOptions& options = {});
  static Session load_from_memory(const uint8_t* data, size_t size,
                                  const SessionOptions& options = {});

  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  const ModelInfo& info() const;

  // Inputs in the order of inputs(); returns outputs in the order of outputs().
  std::vector<Tensor> run(const std::vector<Tensor>& inputs) const;
  // Inputs by name (every input must be given).
  std::vector<Tensor> run(const std::map<std::string, Tensor>& inputs) const;
  // The general form: inputs may be sequences or empty optionals.
  std::vector<Value> run_values(const std::vector<Value>& inputs) const;

  // run_values(), also reporting the time of every executed node.
  std::vector<Value> run_profiled(const std::vector<Value>& inputs,
                                  std::vector<NodeProfile>& profile) const;

  // run_values(), showing every node's outputs to `observer` as they are computed, for
  // debugging a prediction (`infera inspect --dump-activations`). Load the model with
  // SessionOptions::optimize = false to see the nodes of the file rather than fused ones.
  std::vector<Value> run_observed(const std::vector<Value>& inputs,
                                  const std::function<void(const NodeOutputs&)>& observer) const;

  // The thread count in effect.
  int threads() const;

  // Prepares (or finds) the plan for these input shapes without running it.
  PlanInfo prepare(const std::vector<Value>& inputs) const;

  // Runs `inputs` until the session has settled how it runs their shapes: the plan prepared
  // and warm and, in deterministic mode with several threads, the thread count chosen (its
  // first try of one thread made: a few runs, each up to twice as slow). Returns the runs
  // made. A server calls it before it reports ready, so first requests do not pay for that.
  int warm_up(const std::vector<Value>& inputs) const;

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

 private:
  explicit Session(std::unique_ptr<SessionImpl> impl);
  std::unique_ptr<SessionImpl> impl_;
};

}  // namespace infera
