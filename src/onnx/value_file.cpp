// The ONNX backend-test data files: one TensorProto, SequenceProto or OptionalProto per file,
// with no type tag, so the caller says which from the graph's declared input/output type.
#include <filesystem>

#include "onnx/decoders.h"
#include "onnx/mapped_file.h"
#include "onnx/onnx_reader.h"

namespace infera {

namespace onnx {
namespace {

Value decode_value(DecodeContext& ctx, wire::WireReader& r, const TypeInfo& expected);

Tensor decode_tensor_message(DecodeContext& ctx, wire::WireReader& r, const wire::FieldTag& tag,
                             std::string segment) {
  PathScope scope(ctx, std::move(segment));
  wire::WireReader body = r.read_message(tag);
  return decode_tensor(ctx, body).tensor;
}

// SequenceProto: only sequences of tensors exist at run time (Value has no nested sequences).
Value decode_sequence(DecodeContext& ctx, wire::WireReader& r, const TypeInfo& expected) {
  std::vector<Tensor> items;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 3:
        items.push_back(decode_tensor_message(ctx, r, tag, "tensor_values[" + std::to_string(items.size()) + "]"));
        break;
      case 4: case 5: case 6: case 7:
        ctx.fail(ErrorKind::kUnsupported, "sequences of sparse tensors, sequences, maps or "
                                          "optionals are not supported");
      default: r.skip(tag);  // name, elem_type
    }
  }
  DType elem = DType::kUndefined;
  if (expected.inner && expected.inner->kind == TypeInfo::Kind::kTensor) elem = expected.inner->elem_type;
  if (elem == DType::kUndefined && !items.empty()) elem = items.front().dtype();
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].dtype() != elem)
      ctx.fail("tensor_values[" + std::to_string(i) + "] is " + dtype_name(items[i].dtype()) +
               ", the sequence holds " + dtype_name(elem));
  return Value::make_sequence(std::move(items), elem);
}

// OptionalProto: no value field set means an empty optional.
Value decode_optional(DecodeContext& ctx, wire::WireReader& r, const TypeInfo& expected) {
  Value value = Value::none();
  const TypeInfo inner = expected.inner ? *expected.inner : TypeInfo();
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 3: value = decode_tensor_message(ctx, r, tag, "tensor_value"); break;
      case 5: {
        PathScope scope(ctx, "sequence_value");
        wire::WireReader body = r.read_message(tag);
        value = decode_sequence(ctx, body, inner);
        break;
      }
      case 4: case 6: case 7:
        ctx.fail(ErrorKind::kUnsupported, "optionals of sparse tensors, maps or optionals are "
                                          "not supported");
      default: r.skip(tag);  // name, elem_type
    }
  }
  return value;
}

Value decode_value(DecodeContext& ctx, wire::WireReader& r, const TypeInfo& expected) {
  switch (expected.kind) {
    case TypeInfo::Kind::kUnknown:
    case TypeInfo::Kind::kTensor: {
      PathScope scope(ctx, "tensor");
      return decode_tensor(ctx, r).tensor;
    }
    case TypeInfo::Kind::kSequence: {
      PathScope scope(ctx, "sequence");
      return decode_sequence(ctx, r, expected);
    }
    case TypeInfo::Kind::kOptional: {
      PathScope scope(ctx, "optional");
      return decode_optional(ctx, r, expected);
    }
    default:
      ctx.fail(ErrorKind::kUnsupported, "values of type " + type_to_string(expected) +
                                            " are not supported");
  }
}

}  // namespace
}  // namespace onnx

Value read_value_file(const std::string& path, const TypeInfo& expected) {
  const std::shared_ptr<MappedFile> file = MappedFile::open(path);
  const std::string folder = std::filesystem::path(path).parent_path().string();
  onnx::DecodeContext ctx(path, wire::Bytes(file->data(), file->size()), file,
                          folder.empty() ? "." : folder);
  wire::WireReader reader = ctx.whole_reader();
  return onnx::decode_value(ctx, reader, expected);
}

Tensor read_tensor_file(const std::string& path) { return read_value_file(path, TypeInfo()).tensor; }

}  // namespace infera
