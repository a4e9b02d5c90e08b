// TensorProto → Tensor. The element count declared by dims is checked against the bytes or
// values actually present before anything is allocated, so a hostile dims field cannot make
// us reserve memory the file does not back.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "core/deferred_bytes.h"
#include "core/file_pages.h"
#include "onnx/decoders.h"

namespace infera::onnx {

namespace {

struct TensorFields {
  Shape dims;
  int32_t data_type = 0;
  std::string name;
  std::optional<wire::Bytes> raw_data;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  std::vector<uint64_t> uint64_data;
  std::vector<std::string> string_data;
  std::vector<std::pair<std::string, std::string>> external_data;
  int32_t data_location = 0;  // 0 DEFAULT, 1 EXTERNAL
};

void read_tensor_fields(DecodeContext& ctx, wire::WireReader& r, TensorFields& f) {
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1:
        r.append_int64s(tag, f.dims);
        break;
      case 2:
        f.data_type = r.read_int32(tag);
        break;
      case 3:
        ctx.fail(ErrorKind::kUnsupported, "segmented tensors (segment) are not supported");
      case 4:
        r.append_floats(tag, f.float_data);
        break;
      case 5:
        r.append_int32s(tag, f.int32_data);
        break;
      case 6:
        f.string_data.push_back(r.read_string(tag));
        break;
      case 7:
        r.append_int64s(tag, f.int64_data);
        break;
      case 8:
        f.name = r.read_string(tag);
        ctx.name_current(f.name);
        break;
      case 9:
        f.raw_data = r.read_bytes(tag);
        break;
      case 10:
        r.append_doubles(tag, f.double_data);
        break;
      case 11:
        r.append_uint64s(tag, f.uint64_data);
        break;
      case 13: {
        PathScope scope(ctx, "external_data", f.external_data.size());
        wire::WireReader entry = r.read_message(tag);
        f.external_data.push_back(decode_string_pair(ctx, entry));
        break;
      }
      case 14:
        f.data_location = r.read_int32(tag);
        break;
      default:
        r.skip(tag);
    }
  }
}

// Product of dims, refusing negative dims and products past 2^62 (no file could back them).
int64_t checked_numel(const DecodeContext& ctx, const Shape& dims) {
  constexpr uint64_t kLimit = uint64_t{1} << 62;
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) ctx.fail("negative dimension in dims " + shape_to_string(dims));
    if (d != 0 && n > kLimit / static_cast<uint64_t>(d))
      ctx.fail("dims " + shape_to_string(dims) + " hold too many elements");
    n *= static_cast<uint64_t>(d);
  }
  return static_cast<int64_t>(n);
}

// Views the bytes when someone keeps them alive and they are aligned for the dtype;
// otherwise copies them into owned memory (through ctx, at the end of decoding or later).
Tensor tensor_over_bytes(DecodeContext& ctx, DType dtype, Shape shape, wire::Bytes bytes,
                         const std::shared_ptr<void>& owner) {
  const size_t alignment = std::min<size_t>(dtype_size(dtype), 8);
  const bool aligned = reinterpret_cast<uintptr_t>(bytes.data()) % alignment == 0;
  bool bools_canonical = true;  // a bool byte other than 0/1 would be undefined behaviour
  if (dtype == DType::kBool)
    for (uint8_t b : bytes) bools_canonical &= b <= 1;
  if (owner && aligned && bools_canonical)
    return Tensor(dtype, std::move(shape), const_cast<uint8_t*>(bytes.data()), owner);
  if (dtype == DType::kBool) {
    Tensor t = Tensor::empty(dtype, std::move(shape));
    auto* out = t.data<uint8_t>();
    for (size_t i = 0; i < bytes.size(); ++i) out[i] = bytes[i] != 0;
    release_file_pages(bytes.data(), bytes.size());
    return t;
  }
  // The copy is made when the model is decoded, or, for bytes the file keeps readable, may be
  // left to whatever reads them first (core/deferred_bytes.h).
  Tensor t = make_deferred_tensor(dtype, std::move(shape), bytes.data(), owner);
  ctx.note_deferred(t, owner != nullptr);
  return t;
}

Tensor tensor_from_bytes(DecodeContext& ctx, DType dtype, Shape shape, int64_t numel,
                         wire::Bytes bytes, const std::shared_ptr<void>& owner,
                         const char* source) {
  if (dtype == DType::kString) ctx.fail(std::string("string tensors cannot use ") + source);
  const uint64_t elem = dtype_size(dtype);
  const bool fits = static_cast<uint64_t>(numel) <= bytes.size() / elem;
  if (!fits || static_cast<uint64_t>(numel) * elem != bytes.size())
    ctx.fail(std::string(source) + " holds " + std::to_string(bytes.size()) + " bytes but dims " +
             shape_to_string(shape) + " of " + dtype_name(dtype) + " need " +
             (fits ? std::to_string(static_cast<uint64_t>(numel) * elem) : std::string("more")));
  return tensor_over_bytes(ctx, dtype, std::move(shape), bytes, owner);
}

// Strict decimal, as external_data offset/length are written.
uint64_t parse_decimal(const DecodeContext& ctx, const std::string& key, const std::string& text) {
  const std::string quoted = "external_data " + key + " '" + text + "'";
  if (text.empty()) ctx.fail(quoted + " is empty");
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') ctx.fail(quoted + " is not a number");
    const auto digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) ctx.fail(quoted + " is out of range");
    v = v * 10 + digit;
  }
  return v;
}

Tensor tensor_from_external(DecodeContext& ctx, const TensorFields& f, DType dtype, int64_t numel) {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto& [key, value] : f.external_data) {
    if (key == "location")
      location = value;
    else if (key == "offset")
      offset = parse_decimal(ctx, key, value);
    else if (key == "length")
      length = parse_decimal(ctx, key, value);
  }
  if (f.raw_data || !f.float_data.empty() || !f.int32_data.empty() || !f.int64_data.empty() ||
      !f.double_data.empty() || !f.uint64_data.empty() || !f.string_data.empty())
    ctx.fail("tensor stored externally also carries inline data");
  const ExternalSlice slice = ctx.external_data().resolve(ctx, location, offset, length);
  return tensor_from_bytes(ctx, dtype, f.dims, numel, slice.bytes, slice.file, "external data");
}

// Without raw_data, values sit in the repeated field onnx.proto assigns to the dtype; the
// narrow integer and 16-bit float types ride in int32_data.
enum class TypedField { kFloat, kInt32, kInt64, kDouble, kUInt64, kString };

TypedField typed_field_for(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
    case DType::kComplex64:
      return TypedField::kFloat;
    case DType::kInt64:
      return TypedField::kInt64;
    case DType::kFloat64:
    case DType::kComplex128:
      return TypedField::kDouble;
    case DType::kUInt32:
    case DType::kUInt64:
      return TypedField::kUInt64;
    case DType::kString:
      return TypedField::kString;
    default:
      return TypedField::kInt32;
  }
}

const char* typed_field_name(TypedField field) {
  static const char* const kNames[] = {"float_data",  "int32_data",  "int64_data",
                                       "double_data", "uint64_data", "string_data"};
  return kNames[static_cast<int>(field)];
}

size_t typed_field_count(const TensorFields& f, TypedField field) {
  switch (field) {
    case TypedField::kFloat:
      return f.float_data.size();
    case TypedField::kInt32:
      return f.int32_data.size();
    case TypedField::kInt64:
      return f.int64_data.size();
    case TypedField::kDouble:
      return f.double_data.size();
    case TypedField::kUInt64:
      return f.uint64_data.size();
    case TypedField::kString:
      return f.string_data.size();
  }
  return 0;
}

template <typename Dst, typename Src>
void fill_converted(Tensor& t, const std::vector<Src>& values) {
  Dst* out = t.data<Dst>();
  for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<Dst>(values[i]);
}

template <typename Src>
void fill_copied(Tensor& t, const std::vector<Src>& values) {
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(Src));
}

void fill_from_int32_data(Tensor& t, const std::vector<int32_t>& v) {
  switch (t.dtype()) {
    case DType::kInt32:
      fill_copied(t, v);
      break;
    case DType::kInt8:
      fill_converted<int8_t>(t, v);
      break;
    case DType::kUInt8:
      fill_converted<uint8_t>(t, v);
      break;
    case DType::kInt16:
      fill_converted<int16_t>(t, v);
      break;
    case DType::kUInt16:
      fill_converted<uint16_t>(t, v);
      break;
    case DType::kBool: {
      auto* out = t.data<uint8_t>();
      for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] != 0;
      break;
    }
    default: {  // float16 / bfloat16: the bit pattern in the low 16 bits
      auto* out = t.data<uint16_t>();
      for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<uint16_t>(v[i] & 0xffff);
    }
  }
}

Tensor tensor_from_typed_fields(const DecodeContext& ctx, const TensorFields& f, DType dtype,
                                int64_t numel) {
  const TypedField expected = typed_field_for(dtype);
  for (int k = 0; k <= static_cast<int>(TypedField::kString); ++k) {
    const auto other = static_cast<TypedField>(k);
    if (other != expected && typed_field_count(f, other) > 0)
      ctx.fail(std::string("data_type ") + dtype_name(dtype) + " keeps its values in " +
               typed_field_name(expected) + ", but the tensor has " + typed_field_name(other));
  }
  const bool is_complex = dtype == DType::kComplex64 || dtype == DType::kComplex128;
  const uint64_t wanted = static_cast<uint64_t>(numel) * (is_complex ? 2 : 1);
  const size_t present = typed_field_count(f, expected);
  if (present != wanted)
    ctx.fail("dims " + shape_to_string(f.dims) + " need " + std::to_string(wanted) +
             " values but " + typed_field_name(expected) + " holds " + std::to_string(present));
  Tensor t = Tensor::empty(dtype, f.dims);
  switch (expected) {
    case TypedField::kFloat:
      fill_copied(t, f.float_data);
      break;
    case TypedField::kInt32:
      fill_from_int32_data(t, f.int32_data);
      break;
    case TypedField::kInt64:
      fill_copied(t, f.int64_data);
      break;
    case TypedField::kDouble:
      fill_copied(t, f.double_data);
      break;
    case TypedField::kUInt64:
      if (dtype == DType::kUInt64)
        fill_copied(t, f.uint64_data);
      else
        fill_converted<uint32_t>(t, f.uint64_data);
      break;
    case TypedField::kString:
      fill_converted<std::string>(t, f.string_data);
      break;
  }
  return t;
}

}  // namespace

DType checked_dtype(const DecodeContext& ctx, int32_t code, const char* field,
                    bool allow_undefined) {
  if (code == 0 && allow_undefined) return DType::kUndefined;
  if (dtype_is_known(code)) return static_cast<DType>(code);
  if (code == 0) ctx.fail(std::string(field) + " is UNDEFINED (0)");
  // 17..23 are float8/uint4/int4/float4 in newer ONNX releases: valid, just not ours.
  if (code >= 17 && code <= 23)
    ctx.fail(ErrorKind::kUnsupported, std::string(field) + " " + std::to_string(code) +
                                          " (float8/int4 family) is not supported");
  ctx.fail(std::string("unknown ") + field + " " + std::to_string(code));
}

NamedTensor decode_tensor(DecodeContext& ctx, wire::WireReader& reader) {
  TensorFields f;
  read_tensor_fields(ctx, reader, f);
  const DType dtype = checked_dtype(ctx, f.data_type, "data_type", false);
  const int64_t numel = checked_numel(ctx, f.dims);
  NamedTensor out{f.name, Tensor()};
  if (f.data_location == 1) {
    out.tensor = tensor_from_external(ctx, f, dtype, numel);
  } else if (f.data_location != 0) {
    ctx.fail("invalid data_location " + std::to_string(f.data_location));
  } else if (f.raw_data) {
    if (!f.float_data.empty() || !f.int32_data.empty() || !f.int64_data.empty() ||
        !f.double_data.empty() || !f.uint64_data.empty() || !f.string_data.empty())
      ctx.fail("tensor has both raw_data and a typed data field");
    out.tensor =
        tensor_from_bytes(ctx, dtype, f.dims, numel, *f.raw_data, ctx.keep_alive(), "raw_data");
  } else {
    out.tensor = tensor_from_typed_fields(ctx, f, dtype, numel);
  }
  return out;
}

}  // namespace infera::onnx
