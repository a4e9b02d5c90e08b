#include "onnx/wire.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace infera::wire {

const char* wire_type_name(WireType type) {
  switch (type) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "invalid";
}

WireReader::WireReader(Bytes bytes, const uint8_t* origin, const WireErrorSink& sink)
    : pos_(bytes.data()), end_(bytes.data() + bytes.size()), origin_(origin), sink_(sink) {}

void WireReader::fail_at(const std::string& what, size_t at) const {
  sink_.fail(what + " at byte " + std::to_string(at));
  std::abort();  // fail() always throws; this keeps the [[noreturn]] promise checkable
}

void WireReader::expect_type(const FieldTag& tag, WireType wanted) const {
  if (tag.type == wanted) return;
  fail_at("field " + std::to_string(tag.number) + " has wire type " + wire_type_name(tag.type) +
              ", expected " + wire_type_name(wanted),
          offset());
}

uint64_t WireReader::read_raw_varint() {
  const size_t start = offset();
  uint64_t value = 0;
  // A 64-bit value needs at most 10 bytes; the 10th may only carry the top bit.
  for (int i = 0; i < 10; ++i) {
    if (pos_ == end_) fail_at("truncated varint", start);
    const uint8_t byte = *pos_++;
    if (i == 9 && byte > 1) fail_at("varint overflows 64 bits", start);
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) return value;
  }
  fail_at("varint longer than 10 bytes", start);
}

uint32_t WireReader::read_raw_fixed32() {
  if (end_ - pos_ < 4) fail_at("truncated fixed32", offset());
  uint32_t v;
  std::memcpy(&v, pos_, 4);  // little-endian host assumed (x86, arm64)
  pos_ += 4;
  return v;
}

uint64_t WireReader::read_raw_fixed64() {
  if (end_ - pos_ < 8) fail_at("truncated fixed64", offset());
  uint64_t v;
  std::memcpy(&v, pos_, 8);
  pos_ += 8;
  return v;
}

Bytes WireReader::read_raw_length_delimited() {
  const size_t start = offset();
  const uint64_t length = read_raw_varint();
  const auto remaining = static_cast<uint64_t>(end_ - pos_);
  if (length > remaining)
    fail_at("length " + std::to_string(length) + " runs past the end (" +
                std::to_string(remaining) + " bytes left)",
            start);
  Bytes out(pos_, static_cast<size_t>(length));
  pos_ += length;
  return out;
}

FieldTag WireReader::read_tag() {
  const size_t start = offset();
  const uint64_t key = read_raw_varint();
  if (key > std::numeric_limits<uint32_t>::max()) fail_at("field tag out of range", start);
  FieldTag tag;
  tag.number = static_cast<uint32_t>(key >> 3);
  const auto type = static_cast<uint8_t>(key & 7);
  if (tag.number == 0) fail_at("invalid field number 0", start);
  if (type > 5) fail_at("invalid wire type " + std::to_string(type), start);
  tag.type = static_cast<WireType>(type);
  return tag;
}

void WireReader::skip(const FieldTag& tag) {
  switch (tag.type) {
    case WireType::kVarint: read_raw_varint(); return;
    case WireType::kFixed64: read_raw_fixed64(); return;
    case WireType::kFixed32: read_raw_fixed32(); return;
    case WireType::kLengthDelimited: read_raw_length_delimited(); return;
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      break;
  }
  fail_at("field " + std::to_string(tag.number) + " uses deprecated protobuf groups", offset());
}

uint64_t WireReader::read_uint64(const FieldTag& tag) {
  expect_type(tag, WireType::kVarint);
  return read_raw_varint();
}

int64_t WireReader::read_int64(const FieldTag& tag) {
  return static_cast<int64_t>(read_uint64(tag));
}

int32_t WireReader::read_int32(const FieldTag& tag) {
  const size_t start = offset();
  const int64_t v = read_int64(tag);  // negative int32 values are sign-extended to 10 bytes
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    fail_at("field " + std::to_string(tag.number) + " value " + std::to_string(v) +
                " does not fit int32",
            start);
  return static_cast<int32_t>(v);
}

float WireReader::read_float(const FieldTag& tag) {
  expect_type(tag, WireType::kFixed32);
  const uint32_t bits = read_raw_fixed32();
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double WireReader::read_double(const FieldTag& tag) {
  expect_type(tag, WireType::kFixed64);
  const uint64_t bits = read_raw_fixed64();
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

Bytes WireReader::read_bytes(const FieldTag& tag) {
  expect_type(tag, WireType::kLengthDelimited);
  return read_raw_length_delimited();
}

std::string WireReader::read_string(const FieldTag& tag) {
  const Bytes b = read_bytes(tag);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

WireReader WireReader::read_message(const FieldTag& tag) { return sub_reader(read_bytes(tag)); }

void WireReader::append_int64s(const FieldTag& tag, std::vector<int64_t>& out) {
  if (tag.type != WireType::kLengthDelimited) {
    out.push_back(read_int64(tag));
    return;
  }
  WireReader run = sub_reader(read_raw_length_delimited());
  while (!run.at_end()) out.push_back(static_cast<int64_t>(run.read_raw_varint()));
}

void WireReader::append_uint64s(const FieldTag& tag, std::vector<uint64_t>& out) {
  if (tag.type != WireType::kLengthDelimited) {
    out.push_back(read_uint64(tag));
    return;
  }
  WireReader run = sub_reader(read_raw_length_delimited());
  while (!run.at_end()) out.push_back(run.read_raw_varint());
}

void WireReader::append_int32s(const FieldTag& tag, std::vector<int32_t>& out) {
  if (tag.type != WireType::kLengthDelimited) {
    out.push_back(read_int32(tag));
    return;
  }
  WireReader run = sub_reader(read_raw_length_delimited());
  const FieldTag scalar{tag.number, WireType::kVarint};
  while (!run.at_end()) out.push_back(run.read_int32(scalar));
}

void WireReader::append_floats(const FieldTag& tag, std::vector<float>& out) {
  if (tag.type != WireType::kLengthDelimited) {
    out.push_back(read_float(tag));
    return;
  }
  const size_t start = offset();
  const Bytes run = read_raw_length_delimited();
  if (run.size() % 4) fail_at("packed floats of " + std::to_string(run.size()) + " bytes", start);
  const size_t old = out.size();
  out.resize(old + run.size() / 4);  // sized by bytes actually present
  if (!run.empty()) std::memcpy(out.data() + old, run.data(), run.size());
}

void WireReader::append_doubles(const FieldTag& tag, std::vector<double>& out) {
  if (tag.type != WireType::kLengthDelimited) {
    out.push_back(read_double(tag));
    return;
  }
  const size_t start = offset();
  const Bytes run = read_raw_length_delimited();
  if (run.size() % 8) fail_at("packed doubles of " + std::to_string(run.size()) + " bytes", start);
  const size_t old = out.size();
  out.resize(old + run.size() / 8);
  if (!run.empty()) std::memcpy(out.data() + old, run.data(), run.size());
}

}  // namespace infera::wire
