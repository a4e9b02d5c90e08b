// Protobuf wire format, written by hand: the few record kinds needed to rewrite a ModelProto's
// top level (varint and length-delimited fields), appended to a byte string.
//
//   wire::WireWriter entry;
//   entry.bytes_field(1, "infera.pipeline");   // StringStringEntryProto.key
//   entry.bytes_field(2, spec_json);           // .value
//   model.bytes_field(14, entry.bytes());      // ModelProto.metadata_props
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace infera::wire {

class WireWriter {
 public:
  void varint_field(uint32_t number, uint64_t value);
  void bytes_field(uint32_t number, std::string_view bytes);
  // Bytes already encoded (a record copied from another message), appended as they are.
  void raw(std::string_view bytes) { bytes_ += bytes; }

  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }

  static void append_varint(std::string& out, uint64_t value);

 private:
  std::string bytes_;
};

}  // namespace infera::wire
