// TypeProto (tensor, sequence, optional, map, sparse tensor), ValueInfoProto and the
// key/value entries used by metadata_props and external_data.
#include "onnx/decoders.h"

namespace infera::onnx {

namespace {

Dim decode_dimension(DecodeContext& ctx, wire::WireReader& r) {
  Dim dim;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: dim.value = r.read_int64(tag); break;
      case 2: dim.param = r.read_string(tag); break;
      default: r.skip(tag);  // denotation
    }
  }
  if (dim.value < -1) ctx.fail("negative dim_value " + std::to_string(dim.value));
  return dim;
}

void decode_shape(DecodeContext& ctx, wire::WireReader& r, TypeInfo& type) {
  type.has_shape = true;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    if (tag.number != 1) {
      r.skip(tag);
      continue;
    }
    PathScope scope(ctx, "dim", type.dims.size());
    wire::WireReader dim = r.read_message(tag);
    type.dims.push_back(decode_dimension(ctx, dim));
  }
}

// TypeProto.Tensor and TypeProto.SparseTensor share their layout.
void decode_tensor_type(DecodeContext& ctx, wire::WireReader& r, TypeInfo& type) {
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: type.elem_type = checked_dtype(ctx, r.read_int32(tag), "elem_type", true); break;
      case 2: {
        PathScope scope(ctx, "shape");
        wire::WireReader shape = r.read_message(tag);
        decode_shape(ctx, shape, type);
        break;
      }
      default: r.skip(tag);
    }
  }
}

// Sequence, Optional and Map hold one nested TypeProto (Map also its key dtype, kept in
// elem_type since TypeInfo has no separate key field).
void decode_wrapper_type(DecodeContext& ctx, wire::WireReader& r, TypeInfo& type,
                         uint32_t inner_field) {
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    if (tag.number == inner_field) {
      PathScope scope(ctx, inner_field == 1 ? "elem_type" : "value_type");
      wire::WireReader inner = r.read_message(tag);
      type.inner = std::make_shared<TypeInfo>(decode_type(ctx, inner));
    } else if (type.kind == TypeInfo::Kind::kMap && tag.number == 1) {
      type.elem_type = checked_dtype(ctx, r.read_int32(tag), "key_type", true);
    } else {
      r.skip(tag);
    }
  }
}

}  // namespace

TypeInfo decode_type(DecodeContext& ctx, wire::WireReader& r) {
  TypeInfo type;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    using Kind = TypeInfo::Kind;
    Kind kind;
    const char* label;
    switch (tag.number) {
      case 1: kind = Kind::kTensor, label = "tensor_type"; break;
      case 4: kind = Kind::kSequence, label = "sequence_type"; break;
      case 5: kind = Kind::kMap, label = "map_type"; break;
      case 8: kind = Kind::kSparseTensor, label = "sparse_tensor_type"; break;
      case 9: kind = Kind::kOptional, label = "optional_type"; break;
      default: r.skip(tag); continue;  // denotation
    }
    PathScope scope(ctx, label);
    wire::WireReader body = r.read_message(tag);
    type = TypeInfo();  // oneof: the last one wins, as in protobuf
    type.kind = kind;
    if (kind == Kind::kTensor || kind == Kind::kSparseTensor) decode_tensor_type(ctx, body, type);
    else decode_wrapper_type(ctx, body, type, kind == Kind::kMap ? 2 : 1);
  }
  return type;
}

ValueInfo decode_value_info(DecodeContext& ctx, wire::WireReader& r) {
  ValueInfo info;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1:
        info.name = r.read_string(tag);
        ctx.name_current(info.name);
        break;
      case 2: {
        PathScope scope(ctx, "type");
        wire::WireReader type = r.read_message(tag);
        info.type = decode_type(ctx, type);
        break;
      }
      default: r.skip(tag);  // doc_string
    }
  }
  return info;
}

std::pair<std::string, std::string> decode_string_pair(DecodeContext& /*ctx*/,
                                                       wire::WireReader& r) {
  std::pair<std::string, std::string> entry;
  while (!r.at_end()) {
    const wire::FieldTag tag = r.read_tag();
    switch (tag.number) {
      case 1: entry.first = r.read_string(tag); break;
      case 2: entry.second = r.read_string(tag); break;
      default: r.skip(tag);
    }
  }
  return entry;
}

}  // namespace infera::onnx
