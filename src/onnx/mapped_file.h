// A whole file mapped read-only into memory, unmapped when the last owner lets go.
// Initializers point straight into the mapping, so models load without copying weights.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace infera {

class MappedFile {
 public:
  // Throws Error(kIo) for a missing, unreadable, empty or non-regular file.
  static std::shared_ptr<MappedFile> open(const std::string& path);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}

  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

}  // namespace infera
