// One decoder per ONNX message. Each reads the fields it knows from a WireReader positioned
// over the message's bytes, skips unknown ones, and reports problems through the context,
// whose PathScope the caller has already opened for this message.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "infera/tensor.h"
#include "ir/graph.h"
#include "onnx/decode_context.h"
#include "onnx/wire.h"

namespace infera::onnx {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

NamedTensor decode_tensor(DecodeContext& ctx, wire::WireReader& reader);
TypeInfo decode_type(DecodeContext& ctx, wire::WireReader& reader);
ValueInfo decode_value_info(DecodeContext& ctx, wire::WireReader& reader);
std::shared_ptr<Graph> decode_graph(DecodeContext& ctx, wire::WireReader& reader);
Node decode_node(DecodeContext& ctx, wire::WireReader& reader);
Attribute decode_attribute(DecodeContext& ctx, wire::WireReader& reader);
std::pair<std::string, std::string> decode_string_pair(DecodeContext& ctx,
                                                       wire::WireReader& reader);

// Decodes one element of a repeated message field under the path segment "field[i]".
template <typename T, typename Decode>
void decode_into(DecodeContext& ctx, wire::WireReader& r, const wire::FieldTag& tag,
                 const char* field, std::vector<T>& out, Decode decode) {
  PathScope scope(ctx, field, out.size());
  wire::WireReader body = r.read_message(tag);
  out.push_back(decode(ctx, body));
}

// ONNX data_type / elem_type codes: 0 is allowed only where `allow_undefined`; codes newer
// than this build (float8, int4, ...) are kUnsupported; anything else is malformed.
DType checked_dtype(const DecodeContext& ctx, int32_t code, const char* field,
                    bool allow_undefined);

}  // namespace infera::onnx
