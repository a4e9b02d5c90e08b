#include "ops/elementwise_common.h"

namespace infera {

namespace {
bool is_float(DType dt) {
  return dt == DType::kFloat32 || dt == DType::kFloat64 || dt == DType::kFloat16 ||
         dt == DType::kBFloat16;
}
bool is_signed_int(DType dt) {
  return dt == DType::kInt8 || dt == DType::kInt16 || dt == DType::kInt32 || dt == DType::kInt64;
}
bool is_unsigned_int(DType dt) {
  return dt == DType::kUInt8 || dt == DType::kUInt16 || dt == DType::kUInt32 ||
         dt == DType::kUInt64;
}
}  // namespace

bool family_contains(TypeFamily family, DType dt) {
  switch (family) {
    case TypeFamily::kFloat:
      return is_float(dt);
    case TypeFamily::kSigned:
      return is_float(dt) || is_signed_int(dt);
    case TypeFamily::kNumeric:
      return is_float(dt) || is_signed_int(dt) || is_unsigned_int(dt);
    case TypeFamily::kUnsigned:
      return is_unsigned_int(dt);
    case TypeFamily::kBool:
      return dt == DType::kBool;
    case TypeFamily::kNumericBool:
      return dt == DType::kBool || family_contains(TypeFamily::kNumeric, dt);
    case TypeFamily::kAny:
      return dt == DType::kString || family_contains(TypeFamily::kNumericBool, dt);
  }
  return false;
}

const char* family_name(TypeFamily family) {
  switch (family) {
    case TypeFamily::kFloat:
      return "a floating-point type";
    case TypeFamily::kSigned:
      return "a float or signed integer type";
    case TypeFamily::kNumeric:
      return "a numeric type";
    case TypeFamily::kUnsigned:
      return "an unsigned integer type";
    case TypeFamily::kBool:
      return "bool";
    case TypeFamily::kNumericBool:
      return "a numeric or bool type";
    case TypeFamily::kAny:
      return "a numeric, bool or string type";
  }
  return "?";
}

void check_family(const InferContext& ctx, int input, TypeFamily family) {
  const DType dt = ctx.input(input).dtype();
  if (!family_contains(family, dt)) {
    ctx.fail("input " + std::to_string(input) + " should be " + family_name(family) + ", got " +
             dtype_name(dt));
  }
}

}  // namespace infera
