// How an operator plugs into the engine.
//
// One op, one file: `src/ops/<op>.cpp` defines a class derived from OpKernel and registers it
// with INFERA_REGISTER_OP. The kernel's lifecycle follows the session's:
//
//   load     the constructor reads and validates attributes (KernelInit); throw on bad ones.
//   prepare  infer() gets input dtypes and shapes (and data, where known before running) and
//            declares each output's dtype and shape. It is called once per input-shape
//            signature, and again at run time only for nodes whose shapes depend on data.
//   run      run() reads inputs and writes outputs whose memory the planner already placed.
//            It must not allocate, except through allocate_output() for outputs declared
//            dynamic.
//
// Example, the whole of an element-wise op:
//
//   class NegKernel final : public OpKernel {
//    public:
//     explicit NegKernel(const KernelInit&) {}
//     void infer(InferContext& ctx) const override {
//       ctx.set_output(0, ctx.input(0).dtype(), ctx.input(0).shape());
//     }
//     void run(RunContext& ctx) const override {
//       dispatch_signed(ctx.input(0).dtype(), [&]<typename T>() {
//         const T* x = ctx.input(0).data<T>();
//         T* y = ctx.output(0).data<T>();
//         for (int64_t i = 0, n = ctx.input(0).numel(); i < n; ++i) y[i] = T(-x[i]);
//       });
//     }
//   };
//   INFERA_REGISTER_OP("Neg", NegKernel);
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "infera/error.h"
#include "infera/value.h"
#include "ir/graph.h"

namespace infera {

class Subgraph;        // a compiled graph attribute (If/Loop/Scan bodies)
class SubgraphRunner;  // executes subgraphs; supplied by the runtime
class OpKernel;

// Session-wide choices every kernel may read.
struct KernelConfig {
  int threads = 1;              // intra-op threads a kernel may use
  bool reference_only = false;  // use only the plain reference kernels
  bool bf16 = false;            // Conv/MatMul/Gemm may compute in bfloat16
  bool deterministic = false;   // same bits for any thread count and batch size
};

// What a kernel sees when it is created: the node, its opset and typed attribute access.
class KernelInit {
 public:
  using SubgraphCompiler = std::function<std::shared_ptr<const Subgraph>(const Graph&)>;
  // The value of input i when it is a constant known at load (an initializer), else null.
  using ConstantLookup = std::function<const Tensor*(int input)>;
  KernelInit(const Node& node, int64_t opset, const Model* model, SubgraphCompiler compile,
             ConstantLookup constants = nullptr, const KernelConfig* config = nullptr)
      : node_(node),
        opset_(opset),
        model_(model),
        compile_(std::move(compile)),
        constants_(std::move(constants)),
        config_(config ? config : &default_config()) {}

  const Node& node() const { return node_; }
  int64_t opset() const { return opset_; }
  const Model* model() const { return model_; }
  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool has_input(int i) const { return i < num_inputs() && !node_.inputs[i].empty(); }
  // Input i's value when it is an initializer (weights to pack once), else null.
  const Tensor* constant_input(int i) const {
    return constants_ && has_input(i) ? constants_(i) : nullptr;
  }
  const KernelConfig& config() const { return *config_; }
  // The plain reference kernel for this node: optimized variants delegate to it for the
  // cases they do not cover.
  std::unique_ptr<OpKernel> reference_kernel() const;
  // The same, or null when the op has no reference kernel registered.
  std::unique_ptr<OpKernel> reference_kernel_if_any() const;

  bool has_attr(const std::string& name) const { return node_.find_attribute(name) != nullptr; }
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  int64_t attr_int(const std::string& name) const;  // required
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& name, std::vector<float> fallback = {}) const;
  std::vector<std::string> attr_strings(const std::string& name) const;
  const Tensor* attr_tensor(const std::string& name) const;  // null when absent
  const Attribute* attr(const std::string& name) const { return node_.find_attribute(name); }
  // Compiles a graph attribute (If/Loop/Scan bodies) so run() can execute it.
  std::shared_ptr<const Subgraph> subgraph(const std::string& name) const;

  // Throws kInvalidModel naming this node.
  [[noreturn]] void fail(const std::string& message) const;
  // Throws kUnsupported naming this node.
  [[noreturn]] void unsupported(const std::string& message) const;

 private:
  const Attribute& require(const std::string& name, Attribute::Type type) const;
  const Node& node_;
  int64_t opset_;
  const Model* model_;
  static const KernelConfig& default_config();
  SubgraphCompiler compile_;
  ConstantLookup constants_;
  const KernelConfig* config_;
};

// Shape inference: inputs are known by dtype and shape; their data is there when it is known
// before running (initializers, constants, folded shape computations) and always at run time.
class InferContext {
 public:
  InferContext(const Node& node, const Value* const* inputs, int num_inputs, int num_outputs)
      : node_(node), inputs_(inputs), num_inputs_(num_inputs), num_outputs_(num_outputs) {}
  virtual ~InferContext() = default;

  int num_inputs() const { return num_inputs_; }
  bool has_input(int i) const { return i < num_inputs_ && inputs_[i] != nullptr; }
  const Value& input_value(int i) const;
  const Tensor& input(int i) const;  // throws unless input i is a present tensor
  int num_outputs() const { return num_outputs_; }
  virtual bool has_output(int i) const = 0;

  // The output will have this dtype and shape.
  virtual void set_output(int i, DType dtype, Shape shape) = 0;
  // The output is this known tensor (shape ops, constants): no run needed for it.
  virtual void set_output_constant(int i, Tensor value) = 0;
  // The output's shape depends on input data not known yet; run() allocates it.
  virtual void set_output_dynamic(int i) = 0;
  // The output is a sequence or optional; run() sets it with set_output_value().
  virtual void set_output_non_tensor(int i) = 0;

  const Node& node() const { return node_; }
  // Throws kInvalidArgument naming this node: inputs that do not fit the op.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const Node& node_;
  const Value* const* inputs_;
  int num_inputs_;
  int num_outputs_;
};

// Per-plan preparation of a static node, once its input and output shapes are final: build
// shape-specific state (oneDNN primitives, reordered weights) and ask for scratch memory,
// which the planner places in the arena for the duration of this node.
class PrepareContext {
 public:
  virtual ~PrepareContext() = default;
  virtual int num_inputs() const = 0;
  virtual bool has_input(int i) const = 0;
  // dtype and shape; data only for constants
  virtual const Tensor& input(int i) const = 0;
  virtual int num_outputs() const = 0;
  virtual const Tensor& output(int i) const = 0;  // dtype and shape
  virtual void request_scratch(size_t bytes) = 0;
  // Offers to compute output `output` in the buffer of input `input`: run() reads each element
  // of that input before it writes the same element of the output (a residual summed in place,
  // say). The planner takes the offer when this node is the input's last reader and both have
  // the same size, so run() must work either way (same buffer or not).
  virtual void offer_input_buffer(int input, int output) = 0;
  virtual const KernelConfig& config() const = 0;
  // Threads for one-off work inside prepare() (packing weights): 1 while the plan's other
  // nodes prepare on the other threads, else config().threads.
  virtual int packing_threads() const { return config().threads; }
};

class RunContext {
 public:
  virtual ~RunContext() = default;
  virtual int num_inputs() const = 0;
  virtual bool has_input(int i) const = 0;
  virtual const Value& input_value(int i) const = 0;
  const Tensor& input(int i) const;
  virtual int num_outputs() const = 0;
  virtual bool has_output(int i) const = 0;
  // The output as planned by infer().
  virtual Tensor& output(int i) = 0;
  // For outputs infer() declared dynamic: memory of this shape, valid until the run ends.
  virtual Tensor& allocate_output(int i, DType dtype, const Shape& shape) = 0;
  // For sequence / optional outputs.
  virtual void set_output_value(int i, Value value) = 0;
  // Runs a compiled graph attribute with these inputs (outer-scope values are bound
  // automatically) and returns its outputs.
  virtual std::vector<Value> run_subgraph(const Subgraph& graph,
                                          const std::vector<Value>& inputs) = 0;
  virtual const Node& node() const = 0;
  // What prepare() returned for this plan (null for dynamic nodes or kernels without state).
  virtual void* node_state() const { return nullptr; }
  // The scratch memory prepare() asked for (null if none).
  virtual void* scratch() const { return nullptr; }
  virtual int threads() const { return 1; }
  [[noreturn]] void fail(const std::string& message) const;
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  virtual void infer(InferContext& ctx) const = 0;
  virtual void run(RunContext& ctx) const = 0;
  // False for ops whose output must not be computed ahead of time (random generators).
  virtual bool foldable() const { return true; }
  // Shape-specific state for one plan, handed back through RunContext::node_state().
  virtual std::shared_ptr<void> prepare(PrepareContext&) const { return nullptr; }
  // The kernel's name in profiles: "reference", "conv_f32_onednn", ...
  virtual std::string kernel_name() const { return "reference"; }
  // The name for one plan, given what prepare() returned (null for unplanned nodes), where
  // prepare() picks among algorithms by shape.
  virtual std::string plan_kernel_name(const void* /*node_state*/) const { return kernel_name(); }
  // True when the kernel reads constant input `i` only through core/deferred_bytes.h (packing it
  // at prepare, materializing it before any other read), so its bytes may stay in the model file.
  virtual bool reads_deferred_input(int /*i*/) const { return false; }
};

using KernelFactory = std::unique_ptr<OpKernel> (*)(const KernelInit&);

struct OpRegistration {
  std::string domain;  // "" for ai.onnx
  std::string op_type;
  int since_version;  // first opset this kernel serves
  int until_version;  // last opset it serves
  KernelFactory factory;
  // 0 for the reference kernel; optimized variants register higher and are tried first. A
  // variant's factory returns null when it does not apply to the node.
  int priority = 0;
};

bool register_op(OpRegistration registration);
// The registration serving (domain, op_type) at `opset`, or null.
const OpRegistration* find_op(const std::string& domain, const std::string& op_type, int64_t opset);
std::vector<OpRegistration> registered_ops();
// Every registration serving (domain, op_type) at `opset`, highest priority first.
std::vector<const OpRegistration*> find_op_variants(const std::string& domain,
                                                    const std::string& op_type, int64_t opset);

template <typename K>
std::unique_ptr<OpKernel> make_kernel(const KernelInit& init) {
  return std::make_unique<K>(init);
}

// An optimized variant: CLASS has `static bool applies(const KernelInit&)`.
template <typename K>
std::unique_ptr<OpKernel> make_variant_kernel(const KernelInit& init) {
  if (!K::applies(init)) return nullptr;
  return std::make_unique<K>(init);
}

#define INFERA_CONCAT_INNER(a, b) a##b
#define INFERA_CONCAT(a, b) INFERA_CONCAT_INNER(a, b)
// Registers CLASS for OP in the default domain, every opset.
#define INFERA_REGISTER_OP(OP, CLASS) INFERA_REGISTER_OP_RANGE("", OP, 1, 1000, CLASS)
// Registers CLASS for OP in DOMAIN for opsets SINCE..UNTIL inclusive.
#define INFERA_REGISTER_OP_RANGE(DOMAIN, OP, SINCE, UNTIL, CLASS)    \
  static const bool INFERA_CONCAT(infera_registered_, __COUNTER__) = \
      ::infera::register_op({DOMAIN, OP, SINCE, UNTIL, &::infera::make_kernel<CLASS>})

}  // namespace infera

namespace infera {
// Registers the optimized variant CLASS for OP (default domain, every opset) at PRIORITY > 0.
#define INFERA_REGISTER_VARIANT(OP, PRIORITY, CLASS)                 \
  static const bool INFERA_CONCAT(infera_registered_, __COUNTER__) = \
      ::infera::register_op({"", OP, 1, 1000, &::infera::make_variant_kernel<CLASS>, PRIORITY})
}  // namespace infera
