#include "onnx/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/file_pages.h"
#include "infera/error.h"

namespace infera {

namespace {
[[noreturn]] void fail_io(const std::string& path, const std::string& why) {
  throw Error(ErrorKind::kIo, path + ": " + why);
}

// Closes the descriptor on every path out of open(); the mapping outlives it.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};
}  // namespace

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_io(path, std::string("cannot open: ") + std::strerror(errno));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_io(path, std::string("cannot stat: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail_io(path, "is a directory, not a file");
  if (!S_ISREG(st.st_mode)) fail_io(path, "is not a regular file");
  if (st.st_size == 0) fail_io(path, "file is empty");
  const auto size = static_cast<size_t>(st.st_size);
  // Read-only and private: nothing writes through it. Linux may still show later in-place writes
  // to this file through unmodified pages (which release_file_pages also drops), so a model is
  // replaced by writing a new file and renaming it over the old one, which this inode outlives.
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) fail_io(path, std::string("cannot map: ") + std::strerror(errno));
  register_file_mapping(p, size);
  return std::shared_ptr<MappedFile>(new MappedFile(path, static_cast<const uint8_t*>(p), size));
}

MappedFile::~MappedFile() {
  unregister_file_mapping(data_);
  ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace infera
