// Reads ONNX files into the IR (ir/graph.h) with a hand-written protobuf decoder.
//
//   auto model = infera::read_onnx_model("resnet50.onnx");
//   for (const infera::Node& n : model->graph->nodes) ...
//
// Malformed files raise infera::Error(kInvalidModel) naming the file, the field path and the
// byte offset; files that cannot be opened raise kIo; valid but unsupported content kUnsupported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "infera/value.h"
#include "ir/graph.h"

namespace infera {
// Maps the file read-only and decodes it. Initializer bytes (raw_data) are used in place,
// pointing into the mapping, when their address is aligned for the dtype; else copied.
// External data: resolved relative to the model's folder only; absolute paths, '..' escapes,
// symlinks leaving the folder, and offset/length outside the file are refused.
std::shared_ptr<Model> read_onnx_model(const std::string& path);
// Decodes a model held in memory; `base_dir` resolves external data ("" forbids it).
std::shared_ptr<Model> read_onnx_model_from_memory(const uint8_t* data, size_t size,
                                                   std::shared_ptr<void> keep_alive,
                                                   const std::string& base_dir);
// The ONNX test-data files (test_data_set_N/input_K.pb): a TensorProto, SequenceProto or
// OptionalProto as `expected` says (kUnknown or kTensor: TensorProto).
Value read_value_file(const std::string& path, const TypeInfo& expected);
Tensor read_tensor_file(const std::string& path);
}  // namespace infera
