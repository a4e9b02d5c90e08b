// Protobuf wire format, read by hand: a bounds-checked cursor over one message's bytes.
//
// Every read checks the remaining bytes first, so a truncated or hostile file can only ever
// produce an error, never a read past the end or an allocation sized by an unchecked length.
// Errors go to a WireErrorSink, which knows the file and field path and throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace infera::wire {

enum class WireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,  // deprecated groups: refused
  kEndGroup = 4,
  kFixed32 = 5,
};

const char* wire_type_name(WireType type);

struct FieldTag {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
};

// Receives "what went wrong at byte N" and throws with the caller's context added.
class WireErrorSink {
 public:
  [[noreturn]] virtual void fail(const std::string& what) const = 0;

 protected:
  ~WireErrorSink() = default;
};

using Bytes = std::span<const uint8_t>;

class WireReader {
 public:
  // `origin` is the start of the whole buffer, so errors report absolute byte offsets.
  WireReader(Bytes bytes, const uint8_t* origin, const WireErrorSink& sink);

  bool at_end() const { return pos_ == end_; }
  size_t offset() const { return static_cast<size_t>(pos_ - origin_); }

  FieldTag read_tag();
  // Skips a field this decoder does not use; groups are refused.
  void skip(const FieldTag& tag);

  // Typed reads for known fields: each checks the field's wire type first.
  uint64_t read_uint64(const FieldTag& tag);
  int64_t read_int64(const FieldTag& tag);
  int32_t read_int32(const FieldTag& tag);  // refuses values outside int32
  float read_float(const FieldTag& tag);
  double read_double(const FieldTag& tag);
  Bytes read_bytes(const FieldTag& tag);
  std::string read_string(const FieldTag& tag);
  // A reader over an embedded message's bytes.
  WireReader read_message(const FieldTag& tag);

  // Repeated numeric fields arrive packed (one length-delimited run) or one value per field;
  // both are accepted. Each appended value consumes at least one byte of input.
  void append_int64s(const FieldTag& tag, std::vector<int64_t>& out);
  void append_int32s(const FieldTag& tag, std::vector<int32_t>& out);
  void append_uint64s(const FieldTag& tag, std::vector<uint64_t>& out);
  void append_floats(const FieldTag& tag, std::vector<float>& out);
  void append_doubles(const FieldTag& tag, std::vector<double>& out);

 private:
  [[noreturn]] void fail_at(const std::string& what, size_t at) const;
  void expect_type(const FieldTag& tag, WireType wanted) const;
  uint64_t read_raw_varint();
  uint32_t read_raw_fixed32();
  uint64_t read_raw_fixed64();
  Bytes read_raw_length_delimited();
  WireReader sub_reader(Bytes bytes) const { return WireReader(bytes, origin_, sink_); }

  const uint8_t* pos_;
  const uint8_t* end_;
  const uint8_t* origin_;
  const WireErrorSink& sink_;
};

}  // namespace infera::wire
