#include "onnx/wire_writer.h"

#include "onnx/wire.h"

namespace infera::wire {

void WireWriter::append_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void WireWriter::varint_field(uint32_t number, uint64_t value) {
  append_varint(bytes_, uint64_t{number} << 3 | static_cast<uint8_t>(WireType::kVarint));
  append_varint(bytes_, value);
}

void WireWriter::bytes_field(uint32_t number, std::string_view bytes) {
  append_varint(bytes_, uint64_t{number} << 3 | static_cast<uint8_t>(WireType::kLengthDelimited));
  append_varint(bytes_, bytes.size());
  bytes_ += bytes;
}

}  // namespace infera::wire
