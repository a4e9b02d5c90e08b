// AttributeProto, every value type. Sparse tensors and type_protos are checked for
// well-formedness and dropped: the IR has no place for them, and the ops that would take
// them refuse the attribute by its type.
#include "onnx/decoders.h"

namespace infera::onnx {

namespace {

using AttrType = Attribute::Type;

// Which fields were seen, to infer `type` in files older than IR version 2 that omit it.
struct FieldsSeen {
  bool f = false, i = false, s = false, t = false, g = false, tp = false, sparse = false;
};

AttrType infer_type(const Attribute& a, const FieldsSeen& seen) {
  if (seen.f) return AttrType::kFloat;
  if (seen.i) return AttrType::kInt;
  if (seen.s) return AttrType::kString;
  if (seen.t) return AttrType::kTensor;
  if (seen.g) return AttrType::kGraph;
  if (seen.tp) return AttrType::kTypeProto;
  if (seen.sparse) return AttrType::kSparseTensor;
  if (!a.floats.empty()) return AttrType::kFloats;
  if (!a.ints.empty()) return AttrType::kInts;
  if (!a.strings.empty()) return AttrType::kStrings;
  if (!a.tensors.empty()) return AttrType::kTensors;
  if (!a.graphs.empty()) return AttrType::kGraphs;
  return AttrType::kUndefined;
}

Tensor decode_attribute_tensor(DecodeContext& ctx, wire::WireReader& r,
                               const wire::FieldTag& tag, std::string segment) {
  PathScope scope(ctx, std::move(segment));
  wire::WireReader body = r.read_message(tag);
  return decode_tensor(ctx, body).tensor;
}

std::shared_ptr<Graph> decode_attribute_graph(DecodeContext& ctx, wire::WireReader& r,
                                              const wire::FieldTag& tag, std::string segment) {
  PathScope scope(ctx, std::move(segment));
  wire::WireReader body = r.read_message(tag);
  return decode_graph(ctx, body);
}

TypeInfo decode_attribute_type(DecodeContext& ctx, wire::WireReader& r,
                               const wire::FieldTag& tag, std::string segment) {
  PathScope scope(ctx, std::move(segment));
  wire::WireReader body = r.read_message(tag);
  return decode_type(ctx, body);
}

std::string indexed(const char* field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

void read_attribute_field(DecodeContext& ctx, wire::WireReader& r, const wire::FieldTag& tag,
                          Attribute& a, FieldsSeen& seen, size_t& type_proto_count) {
  switch (tag.number) {
    case 1: a.name = r.read_string(tag), ctx.name_current(a.name); break;
    case 2: a.f = r.read_float(tag), seen.f = true; break;
    case 3: a.i = r.read_int64(tag), seen.i = true; break;
    case 4: a.s = r.read_string(tag), seen.s = true; break;
    case 5: a.t = decode_attribute_tensor(ctx, r, tag, "t"), seen.t = true; break;
    case 6: a.g = decode_attribute_graph(ctx, r, tag, "g"), seen.g = true; break;
    case 7: r.append_floats(tag, a.floats); break;
    case 8: r.append_int64s(tag, a.ints); break;
    case 9: a.strings.push_back(r.read_string(tag)); break;
    case 10:
      a.tensors.push_back(decode_attribute_tensor(ctx, r, tag, indexed("tensors", a.tensors.size())));
      break;
    case 11:
      a.graphs.push_back(decode_attribute_graph(ctx, r, tag, indexed("graphs", a.graphs.size())));
      break;
    case 14: a.tp = decode_attribute_type(ctx, r, tag, "tp"), seen.tp = true; break;
    case 15: decode_attribute_type(ctx, r, tag, indexed("type_protos", type_proto_count++)); break;
    case 20: {
      const int32_t code = r.read_int32(tag);
      if (code < 0 || code > static_cast<int32_t>(AttrType::kTypeProtos))
        ctx.fail("unknown attribute type " + std::to_string(code));
      a.type = static_cast<AttrType>(code);
      break;
    }
    case 21: a.ref_attr_name = r.read_string(tag); break;
    case 22: r.read_bytes(tag), seen.sparse = true; break;
    default: r.skip(tag);  // doc_string, sparse_tensors (23)
  }
}

}  // namespace

Attribute decode_attribute(DecodeContext& ctx, wire::WireReader& r) {
  Attribute a;
  FieldsSeen seen;
  size_t type_proto_count = 0;
  while (!r.at_end()) read_attribute_field(ctx, r, r.read_tag(), a, seen, type_proto_count);
  if (a.name.empty()) ctx.fail("attribute has no name");
  if (a.type == AttrType::kUndefined) a.type = infer_type(a, seen);
  if (a.type == AttrType::kUndefined && a.ref_attr_name.empty())
    ctx.fail("attribute has neither a type nor a value");
  // Consumers dereference g and read t by type; a declared type must come with its value.
  const bool is_reference = !a.ref_attr_name.empty();
  if (a.type == AttrType::kGraph && !seen.g && !is_reference) ctx.fail("GRAPH attribute has no g");
  if (a.type == AttrType::kTensor && !seen.t && !is_reference) ctx.fail("TENSOR attribute has no t");
  return a;
}

}  // namespace infera::onnx
