// Constant: a tensor given by exactly one of the value* attributes.
#include <algorithm>

#include "ops/movement.h"

namespace infera {
namespace {

template <typename T>
Tensor vector_tensor(DType dtype, const std::vector<T>& values) {
  Tensor t = Tensor::empty(dtype, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

Tensor read_value(const KernelInit& init) {
  // The tensor view stays valid: the session keeps the model (and its initializer bytes) alive.
  if (const Tensor* t = init.attr_tensor("value")) return *t;
  if (init.has_attr("value_float"))
    return Tensor::scalar<float>(DType::kFloat32, init.attr_float("value_float", 0));
  if (init.has_attr("value_floats"))
    return vector_tensor(DType::kFloat32, init.attr_floats("value_floats"));
  if (init.has_attr("value_int"))
    return Tensor::scalar<int64_t>(DType::kInt64, init.attr_int("value_int"));
  if (init.has_attr("value_ints"))
    return vector_tensor(DType::kInt64, init.attr_ints("value_ints"));
  if (init.has_attr("value_string"))
    return Tensor::scalar<std::string>(DType::kString, init.attr_string("value_string", ""));
  if (init.has_attr("value_strings"))
    return vector_tensor(DType::kString, init.attr_strings("value_strings"));
  if (init.has_attr("sparse_value")) init.unsupported("sparse_value is not supported");
  init.fail("needs one of the attributes value, value_float(s), value_int(s), value_string(s)");
}

class ConstantKernel final : public OpKernel {
 public:
  explicit ConstantKernel(const KernelInit& init) : value_(read_value(init)) {}
  void infer(InferContext& ctx) const override { ctx.set_output_constant(0, value_); }
  void run(RunContext& ctx) const override { copy_unless_aliased(value_, ctx.output(0)); }

 private:
  Tensor value_;
};

}  // namespace
INFERA_REGISTER_OP("Constant", ConstantKernel);
}  // namespace infera
