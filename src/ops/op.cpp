#include "ops/op.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "ops/dispatch.h"

namespace infera {

namespace {
std::vector<OpRegistration>& registry() {
  static std::vector<OpRegistration> ops;
  return ops;
}
const char* attr_type_name(Attribute::Type t) {
  switch (t) {
    case Attribute::Type::kFloat: return "float";
    case Attribute::Type::kInt: return "int";
    case Attribute::Type::kString: return "string";
    case Attribute::Type::kTensor: return "tensor";
    case Attribute::Type::kGraph: return "graph";
    case Attribute::Type::kFloats: return "floats";
    case Attribute::Type::kInts: return "ints";
    case Attribute::Type::kStrings: return "strings";
    case Attribute::Type::kTensors: return "tensors";
    case Attribute::Type::kGraphs: return "graphs";
    default: return "other";
  }
}
}  // namespace

void throw_unsupported_dtype(DType dtype, const char* family) {
  throw Error(ErrorKind::kUnsupported,
              std::string("dtype ") + dtype_name(dtype) + " is not supported here (expected a " +
                  family + " type)");
}

bool register_op(OpRegistration registration) {
  registry().push_back(std::move(registration));
  return true;
}

const OpRegistration* find_op(const std::string& domain, const std::string& op_type,
                              int64_t opset) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  const OpRegistration* best = nullptr;
  for (const OpRegistration& r : registry()) {
    if (r.domain != d || r.op_type != op_type) continue;
    if (opset < r.since_version || opset > r.until_version || r.priority != 0) continue;
    if (!best || r.since_version > best->since_version) best = &r;
  }
  return best;
}

std::vector<const OpRegistration*> find_op_variants(const std::string& domain,
                                                    const std::string& op_type, int64_t opset) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  std::vector<const OpRegistration*> found;
  for (const OpRegistration& r : registry())
    if (r.domain == d && r.op_type == op_type && opset >= r.since_version &&
        opset <= r.until_version)
      found.push_back(&r);
  std::stable_sort(found.begin(), found.end(), [](const OpRegistration* a, const OpRegistration* b) {
    if (a->priority != b->priority) return a->priority > b->priority;
    return a->since_version > b->since_version;
  });
  return found;
}

std::vector<OpRegistration> registered_ops() {
  std::vector<OpRegistration> ops = registry();
  std::sort(ops.begin(), ops.end(), [](const OpRegistration& a, const OpRegistration& b) {
    return std::tie(a.domain, a.op_type, a.since_version) <
           std::tie(b.domain, b.op_type, b.since_version);
  });
  return ops;
}

// ---- KernelInit ----

const Attribute& KernelInit::require(const std::string& name, Attribute::Type type) const {
  const Attribute* a = node_.find_attribute(name);
  if (!a) fail("missing required attribute '" + name + "'");
  if (a->type != type)
    fail("attribute '" + name + "' should be " + attr_type_name(type) + ", got " +
         attr_type_name(a->type));
  return *a;
}

int64_t KernelInit::attr_int(const std::string& name, int64_t fallback) const {
  return has_attr(name) ? attr_int(name) : fallback;
}
int64_t KernelInit::attr_int(const std::string& name) const {
  return require(name, Attribute::Type::kInt).i;
}
float KernelInit::attr_float(const std::string& name, float fallback) const {
  if (!has_attr(name)) return fallback;
  const Attribute* a = attr(name);
  if (a->type == Attribute::Type::kInt) return static_cast<float>(a->i);
  return require(name, Attribute::Type::kFloat).f;
}
std::string KernelInit::attr_string(const std::string& name, const std::string& fallback) const {
  return has_attr(name) ? require(name, Attribute::Type::kString).s : fallback;
}
std::vector<int64_t> KernelInit::attr_ints(const std::string& name,
                                           std::vector<int64_t> fallback) const {
  return has_attr(name) ? require(name, Attribute::Type::kInts).ints : fallback;
}
std::vector<float> KernelInit::attr_floats(const std::string& name,
                                           std::vector<float> fallback) const {
  return has_attr(name) ? require(name, Attribute::Type::kFloats).floats : fallback;
}
std::vector<std::string> KernelInit::attr_strings(const std::string& name) const {
  return has_attr(name) ? require(name, Attribute::Type::kStrings).strings
                        : std::vector<std::string>{};
}
const Tensor* KernelInit::attr_tensor(const std::string& name) const {
  return has_attr(name) ? &require(name, Attribute::Type::kTensor).t : nullptr;
}
std::shared_ptr<const Subgraph> KernelInit::subgraph(const std::string& name) const {
  const Attribute& a = require(name, Attribute::Type::kGraph);
  if (!a.g) fail("graph attribute '" + name + "' is empty");
  if (!compile_) fail("graph attributes are not supported in this context");
  return compile_(*a.g);
}
const KernelConfig& KernelInit::default_config() {
  static const KernelConfig config;
  return config;
}

std::unique_ptr<OpKernel> KernelInit::reference_kernel() const {
  const OpRegistration* r = find_op(node_.domain, node_.op_type, opset_);
  if (!r) unsupported("no reference kernel");
  return r->factory(*this);
}

std::unique_ptr<OpKernel> KernelInit::reference_kernel_if_any() const {
  return find_op(node_.domain, node_.op_type, opset_) ? reference_kernel() : nullptr;
}

void KernelInit::fail(const std::string& message) const {
  throw Error(ErrorKind::kInvalidModel, node_.describe() + ": " + message);
}
void KernelInit::unsupported(const std::string& message) const {
  throw Error(ErrorKind::kUnsupported, node_.describe() + ": " + message);
}

// ---- contexts ----

const Value& InferContext::input_value(int i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required");
  return *inputs_[i];
}
const Tensor& InferContext::input(int i) const {
  const Value& v = input_value(i);
  if (!v.is_tensor()) fail("input " + std::to_string(i) + " must be a tensor");
  return v.tensor;
}
void InferContext::fail(const std::string& message) const {
  throw Error(ErrorKind::kInvalidArgument, node_.describe() + ": " + message);
}

const Tensor& RunContext::input(int i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required");
  const Value& v = input_value(i);
  if (!v.is_tensor()) fail("input " + std::to_string(i) + " must be a tensor");
  return v.tensor;
}
void RunContext::fail(const std::string& message) const {
  throw Error(ErrorKind::kInvalidArgument, node().describe() + ": " + message);
}

}  // namespace infera
