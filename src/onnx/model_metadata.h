// Setting one ModelProto.metadata_props entry without a protobuf library: the top-level records
// are copied byte for byte, old entries with the key are dropped, and one new
// StringStringEntryProto is appended (field order does not matter in protobuf). The graph and
// its weights are never decoded, so this works on models of any size.
//
//   std::string bytes = read_file_bytes("model.onnx");
//   std::string out = set_model_metadata(bytes, "model.onnx", "infera.pipeline", spec_json);
#pragma once

#include <string>
#include <string_view>

namespace infera {

// `model` is a serialized ModelProto; `label` names it in errors (Error kInvalidModel).
std::string set_model_metadata(std::string_view model, const std::string& label,
                               const std::string& key, const std::string& value);

// Reads `in_path`, sets the entry and writes `out_path` (which may be `in_path`) through a
// temporary file renamed into place, so a failure never leaves a half-written model.
void write_model_with_metadata(const std::string& in_path, const std::string& out_path,
                               const std::string& key, const std::string& value);

}  // namespace infera
