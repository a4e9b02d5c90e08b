#include "onnx/model_metadata.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "infera/error.h"
#include "onnx/wire.h"
#include "onnx/wire_writer.h"

namespace infera {
namespace {

constexpr uint32_t kModelMetadataProps = 14;        // onnx.proto ModelProto.metadata_props
constexpr uint32_t kEntryKey = 1, kEntryValue = 2;  // StringStringEntryProto

class ThrowingSink final : public wire::WireErrorSink {
 public:
  explicit ThrowingSink(std::string label) : label_(std::move(label)) {}
  [[noreturn]] void fail(const std::string& what) const override {
    throw Error(ErrorKind::kInvalidModel, label_ + ": " + what);
  }

 private:
  std::string label_;
};

std::string entry_key(wire::WireReader entry) {
  std::string key;
  while (!entry.at_end()) {
    const wire::FieldTag tag = entry.read_tag();
    if (tag.number == kEntryKey)
      key = entry.read_string(tag);
    else
      entry.skip(tag);
  }
  return key;
}

}  // namespace

std::string set_model_metadata(std::string_view model, const std::string& label,
                               const std::string& key, const std::string& value) {
  const ThrowingSink sink(label);
  const auto* data = reinterpret_cast<const uint8_t*>(model.data());
  wire::WireReader reader(wire::Bytes(data, model.size()), data, sink);
  wire::WireWriter out;
  while (!reader.at_end()) {
    const size_t start = reader.offset();
    const wire::FieldTag tag = reader.read_tag();
    if (tag.number == kModelMetadataProps && tag.type == wire::WireType::kLengthDelimited) {
      if (entry_key(reader.read_message(tag)) == key) continue;
    } else {
      reader.skip(tag);
    }
    out.raw(model.substr(start, reader.offset() - start));
  }
  wire::WireWriter entry;
  entry.bytes_field(kEntryKey, key);
  entry.bytes_field(kEntryValue, value);
  out.bytes_field(kModelMetadataProps, entry.bytes());
  return out.take();
}

void write_model_with_metadata(const std::string& in_path, const std::string& out_path,
                               const std::string& key, const std::string& value) {
  std::ifstream in(in_path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, "cannot read " + in_path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string rewritten = set_model_metadata(bytes.str(), in_path, key, value);
  const std::string temporary = out_path + ".infera-tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(rewritten.data(), static_cast<std::streamsize>(rewritten.size()));
    if (!out.flush()) {
      std::remove(temporary.c_str());
      throw Error(ErrorKind::kIo, "cannot write " + temporary);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, out_path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw Error(ErrorKind::kIo, "cannot replace " + out_path + ": " + ec.message());
  }
}

}  // namespace infera
