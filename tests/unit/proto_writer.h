// A tiny protobuf encoder for building ONNX fixtures byte by byte in tests, so malformed and
// external-data models need neither Python nor committed binaries.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace infera::testing {

class ProtoWriter {
 public:
  static std::string encode_varint(uint64_t v) {
    std::string out;
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
  }

  ProtoWriter& varint(uint32_t field, uint64_t v) {
    tag(field, 0);
    bytes_ += encode_varint(v);
    return *this;
  }
  ProtoWriter& fixed32(uint32_t field, uint32_t v) {
    tag(field, 5);
    bytes_.append(reinterpret_cast<const char*>(&v), 4);
    return *this;
  }
  ProtoWriter& float32(uint32_t field, float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return fixed32(field, bits);
  }
  ProtoWriter& bytes(uint32_t field, std::string_view b) {
    tag(field, 2);
    bytes_ += encode_varint(b.size());
    bytes_ += b;
    return *this;
  }
  ProtoWriter& message(uint32_t field, const ProtoWriter& m) { return bytes(field, m.str()); }
  ProtoWriter& packed_varints(uint32_t field, const std::vector<int64_t>& values) {
    std::string run;
    for (int64_t v : values) run += encode_varint(static_cast<uint64_t>(v));
    return bytes(field, run);
  }
  // Appends bytes as they are, for hand-made malformed fields.
  ProtoWriter& raw(std::string_view b) {
    bytes_ += b;
    return *this;
  }

  const std::string& str() const { return bytes_; }

 private:
  void tag(uint32_t field, uint32_t wire_type) { bytes_ += encode_varint(field << 3 | wire_type); }
  std::string bytes_;
};

// ONNX field numbers used by the fixtures (onnx.proto).
namespace onnx_field {
constexpr uint32_t kModelIrVersion = 1, kModelGraph = 7, kModelOpsetImport = 8;
constexpr uint32_t kOpsetDomain = 1, kOpsetVersion = 2;
constexpr uint32_t kGraphNode = 1, kGraphName = 2, kGraphInitializer = 5, kGraphInput = 11,
                   kGraphOutput = 12;
constexpr uint32_t kNodeInput = 1, kNodeOutput = 2, kNodeOpType = 4, kNodeAttribute = 5;
constexpr uint32_t kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrInts = 8, kAttrType = 20;
constexpr uint32_t kTensorDims = 1, kTensorDataType = 2, kTensorFloatData = 4,
                   kTensorInt32Data = 5, kTensorStringData = 6, kTensorInt64Data = 7,
                   kTensorName = 8, kTensorRawData = 9, kTensorUint64Data = 11,
                   kTensorExternalData = 13, kTensorDataLocation = 14;
constexpr uint32_t kEntryKey = 1, kEntryValue = 2;
}  // namespace onnx_field

// A model around `graph`, with ir_version 8 and opset 13 written last, so that every proper
// prefix of the bytes is an incomplete model.
inline std::string model_around(const ProtoWriter& graph) {
  using namespace onnx_field;
  ProtoWriter opset;
  opset.bytes(kOpsetDomain, "").varint(kOpsetVersion, 13);
  ProtoWriter model;
  model.varint(kModelIrVersion, 8).message(kModelGraph, graph).message(kModelOpsetImport, opset);
  return model.str();
}

}  // namespace infera::testing
