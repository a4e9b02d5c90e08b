// Cast: converts x to the dtype in attribute `to` (numpy astype semantics; see cast_elements.h).
// Opset 1 spelled `to` as a type name ("FLOAT"); later opsets use the TensorProto code.
#include <string>

#include "ops/cast_elements.h"
#include "ops/op.h"

namespace infera {
namespace {

DType dtype_from_onnx_name(const std::string& name) {
  static const struct {
    const char* name;
    DType dtype;
  } kNames[] = {
      {"FLOAT", DType::kFloat32},   {"UINT8", DType::kUInt8},       {"INT8", DType::kInt8},
      {"UINT16", DType::kUInt16},   {"INT16", DType::kInt16},       {"INT32", DType::kInt32},
      {"INT64", DType::kInt64},     {"STRING", DType::kString},     {"BOOL", DType::kBool},
      {"FLOAT16", DType::kFloat16}, {"DOUBLE", DType::kFloat64},    {"UINT32", DType::kUInt32},
      {"UINT64", DType::kUInt64},   {"BFLOAT16", DType::kBFloat16},
  };
  for (const auto& entry : kNames) {
    if (name == entry.name) return entry.dtype;
  }
  return DType::kUndefined;
}

DType read_to(const KernelInit& init) {
  const Attribute* to = init.attr("to");
  if (!to) init.fail("missing required attribute 'to'");
  if (to->type == Attribute::Type::kString) {
    const DType dt = dtype_from_onnx_name(to->s);
    if (dt == DType::kUndefined) init.fail("attribute 'to' names unknown type '" + to->s + "'");
    return dt;
  }
  const int64_t code = init.attr_int("to");
  if (!dtype_is_known(static_cast<int32_t>(code))) {
    init.fail("attribute 'to' is not a known dtype code: " + std::to_string(code));
  }
  return static_cast<DType>(code);
}

class CastKernel final : public OpKernel {
 public:
  explicit CastKernel(const KernelInit& init) : to_(read_to(init)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!cast_supported(x.dtype(), to_)) {
      ctx.fail(std::string("cannot cast ") + dtype_name(x.dtype()) + " to " + dtype_name(to_));
    }
    ctx.set_output(0, to_, x.shape());
  }

  void run(RunContext& ctx) const override { cast_elements(ctx.input(0), ctx.output(0)); }

 private:
  DType to_;
};

}  // namespace
INFERA_REGISTER_OP("Cast", CastKernel);
}  // namespace infera
