#include "onnx/external_data.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <cerrno>

#include "onnx/decode_context.h"

namespace infera::onnx {

namespace {
std::string real_path_or_empty(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) ? std::string(buffer) : std::string();
}

bool has_dot_dot_component(const std::string& location) {
  size_t start = 0;
  while (start <= location.size()) {
    size_t end = location.find_first_of("/\\", start);
    if (end == std::string::npos) end = location.size();
    if (location.compare(start, end - start, "..") == 0 && end - start == 2) return true;
    start = end + 1;
  }
  return false;
}
}  // namespace

std::string ExternalDataResolver::confined_real_path(const DecodeContext& ctx,
                                                     const std::string& location) {
  const std::string quoted = "external data location '" + location + "'";
  if (base_dir_.empty())
    ctx.fail(quoted + " refused: the model was read from memory without a base folder");
  if (location.empty()) ctx.fail("external data has no location");
  if (location.find('\0') != std::string::npos) ctx.fail(quoted + " contains a NUL byte");
  if (location[0] == '/' || location[0] == '\\') ctx.fail(quoted + " refused: absolute path");
  if (has_dot_dot_component(location)) ctx.fail(quoted + " refused: '..' leaves the model folder");

  if (real_base_dir_.empty()) {
    real_base_dir_ = real_path_or_empty(base_dir_);
    if (real_base_dir_.empty())
      ctx.fail(ErrorKind::kIo, "model folder '" + base_dir_ + "': " + std::strerror(errno));
  }
  const std::string real = real_path_or_empty(real_base_dir_ + "/" + location);
  if (real.empty()) ctx.fail(ErrorKind::kIo, quoted + ": " + std::strerror(errno));
  const std::string prefix = real_base_dir_ == "/" ? "/" : real_base_dir_ + "/";
  if (real.compare(0, prefix.size(), prefix) != 0)
    ctx.fail(quoted + " refused: resolves to '" + real + "', outside the model folder");
  return real;
}

ExternalSlice ExternalDataResolver::resolve(const DecodeContext& ctx, const std::string& location,
                                            uint64_t offset, std::optional<uint64_t> length) {
  const std::string real = confined_real_path(ctx, location);
  std::shared_ptr<MappedFile>& file = open_files_[real];
  if (!file) {
    try {
      file = MappedFile::open(real);
    } catch (const Error& e) {
      open_files_.erase(real);
      ctx.fail(e.kind(), std::string("external data: ") + e.what());
    }
  }
  const uint64_t size = file->size();
  if (offset > size)
    ctx.fail("external data offset " + std::to_string(offset) + " is past the end of '" +
             location + "' (" + std::to_string(size) + " bytes)");
  const uint64_t available = size - offset;
  if (length && *length > available)
    ctx.fail("external data offset " + std::to_string(offset) + " + length " +
             std::to_string(*length) + " runs past the end of '" + location + "' (" +
             std::to_string(size) + " bytes)");
  const uint64_t taken = length ? *length : available;
  return ExternalSlice{wire::Bytes(file->data() + offset, static_cast<size_t>(taken)), file};
}

}  // namespace infera::onnx
