#include "data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "infera/error.h"

namespace infera {
namespace {

constexpr size_t kMagicBytes = 4;   // 0, 0, type code, number of dimensions
constexpr int kMaxDimensions = 16;  // the format allows 255; real files use 1 to 4
constexpr uint64_t kMaxDataBytes = uint64_t{1} << 46;
constexpr unsigned kGzipBufferBytes = 1 << 17;

[[noreturn]] void fail(ErrorKind kind, const std::string& path, const std::string& problem) {
  throw Error(kind, "IDX file '" + path + "': " + problem);
}

[[noreturn]] void fail_content(const std::string& path, const std::string& problem) {
  fail(ErrorKind::kInvalidArgument, path, problem);
}

DType dtype_for_type_code(uint8_t code) {
  switch (code) {
    case 0x08:
      return DType::kUInt8;
    case 0x09:
      return DType::kInt8;
    case 0x0B:
      return DType::kInt16;
    case 0x0C:
      return DType::kInt32;
    case 0x0D:
      return DType::kFloat32;
    case 0x0E:
      return DType::kFloat64;
    default:
      return DType::kUndefined;
  }
}

uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

std::string hex_bytes(const uint8_t* bytes, size_t count) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out;
}

void big_endian_to_host(void* data, size_t bytes, size_t element_bytes) {
  if (element_bytes == 1) return;
  auto* p = static_cast<uint8_t*>(data);
  for (size_t i = 0; i < bytes; i += element_bytes) std::reverse(p + i, p + i + element_bytes);
}

}  // namespace

// zlib's gz* functions read gzip files (recognised by the magic 1f 8b) and pass any other file
// through unchanged ("transparent" mode), so one code path serves both.
class IdxReader::Stream {
 public:
  explicit Stream(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (file_ == nullptr)
      fail(ErrorKind::kIo, path, std::string("cannot open: ") + std::strerror(errno));
    gzbuffer(file_, kGzipBufferBytes);  // must precede the first read
  }
  ~Stream() { gzclose(file_); }

  bool compressed() { return gzdirect(file_) == 0; }

  // Reads up to `size` bytes; returns how many arrived (fewer only at the end of the data).
  size_t read(void* destination, size_t size) {
    auto* out = static_cast<uint8_t*>(destination);
    size_t total = 0;
    while (total < size) {
      const auto chunk = static_cast<unsigned>(std::min<size_t>(size - total, INT_MAX / 2));
      const int got = gzread(file_, out + total, chunk);
      if (got < 0) report_error();
      if (got == 0) break;
      total += static_cast<size_t>(got);
    }
    int error_code = Z_OK;
    gzerror(file_, &error_code);
    if (total < size && error_code != Z_OK) report_error();
    return total;
  }

 private:
  [[noreturn]] void report_error() {
    int error_code = Z_OK;
    const char* message = gzerror(file_, &error_code);
    if (error_code == Z_ERRNO)
      fail(ErrorKind::kIo, path_, std::string("read failed: ") + std::strerror(errno));
    fail_content(path_, std::string("corrupt gzip data: ") + message);
  }

  std::string path_;
  gzFile file_;
};

IdxReader::IdxReader(const std::string& path)
    : path_(path), stream_(std::make_unique<Stream>(path)) {
  read_header();
  if (!stream_->compressed()) check_uncompressed_size();
  if (record_count() == 0) check_nothing_after_data();  // next_batch will never look
}

IdxReader::~IdxReader() = default;

bool IdxReader::compressed() const {
  return stream_->compressed();
}

void IdxReader::read_header() {
  uint8_t magic[kMagicBytes] = {};
  const size_t got = stream_->read(magic, kMagicBytes);
  if (got < kMagicBytes)
    fail_content(path_, "only " + std::to_string(got) + " bytes: too short for an IDX header");
  dtype_ = dtype_for_type_code(magic[2]);
  const int dimensions = magic[3];
  if (magic[0] != 0 || magic[1] != 0 || dtype_ == DType::kUndefined || dimensions < 1 ||
      dimensions > kMaxDimensions) {
    fail_content(path_, "bad magic " + hex_bytes(magic, kMagicBytes) +
                            ": expected 00 00, a type code (08 09 0b 0c 0d 0e) and 1 to " +
                            std::to_string(kMaxDimensions) + " dimensions");
  }
  uint8_t dims[kMaxDimensions * 4];
  const size_t dims_bytes = static_cast<size_t>(dimensions) * 4;
  if (stream_->read(dims, dims_bytes) < dims_bytes)
    fail_content(path_, "ends inside the dimensions");
  header_bytes_ = kMagicBytes + dims_bytes;

  uint64_t record_bytes = dtype_size(dtype_);
  for (int i = 0; i < dimensions; ++i) {
    const uint32_t dim = big_endian_u32(dims + 4 * i);
    shape_.push_back(dim);
    if (i == 0) continue;
    if (dim != 0 && record_bytes > kMaxDataBytes / dim)
      fail_content(
          path_, "records of shape " + shape_to_string(record_shape()) + "... are absurdly large");
    record_bytes *= dim;
  }
  record_bytes_ = static_cast<size_t>(record_bytes);
  if (record_bytes_ != 0 && static_cast<uint64_t>(shape_[0]) > kMaxDataBytes / record_bytes_)
    fail_content(path_, "shape " + shape_to_string(shape_) + " is absurdly large");
}

void IdxReader::check_uncompressed_size() const {
  std::error_code error;
  const uint64_t file_bytes = std::filesystem::file_size(path_, error);
  if (error) return;  // not a regular file (a pipe): truncation shows up while reading
  const uint64_t expected = header_bytes_ + static_cast<uint64_t>(shape_[0]) * record_bytes_;
  if (file_bytes != expected) {
    fail_content(path_,
                 "has " + std::to_string(file_bytes) + " bytes, but its header (" +
                     shape_to_string(shape_) + " " + dtype_name(dtype_) + ") needs " +
                     std::to_string(expected) +
                     (file_bytes < expected ? ": truncated" : ": unexpected trailing bytes"));
  }
}

void IdxReader::check_nothing_after_data() const {
  uint8_t extra = 0;
  if (stream_->read(&extra, 1) != 0)
    fail_content(path_, "has bytes after the " + std::to_string(record_count()) +
                            " records its header declares");
}

bool IdxReader::next_batch(size_t max_records, Tensor& out) {
  if (max_records == 0)
    throw Error(ErrorKind::kInvalidArgument, "IdxReader::next_batch: max_records must be positive");
  const int64_t remaining = record_count() - records_read_;
  if (remaining == 0) return false;
  const int64_t count =
      std::min<int64_t>(remaining, static_cast<int64_t>(std::min<size_t>(max_records, INT64_MAX)));
  Shape batch_shape = shape_;
  batch_shape[0] = count;
  Tensor batch = Tensor::empty(dtype_, batch_shape);
  const size_t wanted = static_cast<size_t>(count) * record_bytes_;
  const size_t got = stream_->read(batch.raw(), wanted);
  if (got < wanted) {
    const int64_t complete =
        records_read_ + static_cast<int64_t>(got / std::max<size_t>(record_bytes_, 1));
    fail_content(path_, "truncated: the header declares " + std::to_string(record_count()) +
                            " records, the data ends after " + std::to_string(complete));
  }
  big_endian_to_host(batch.raw(), wanted, dtype_size(dtype_));
  records_read_ += count;
  if (records_read_ == record_count()) check_nothing_after_data();
  out = std::move(batch);
  return true;
}

Tensor read_idx(const std::string& path) {
  IdxReader reader(path);
  Tensor all;
  if (!reader.next_batch(static_cast<size_t>(std::max<int64_t>(reader.record_count(), 1)), all))
    return Tensor::empty(reader.dtype(), reader.shape());  // zero records
  return all;
}

}  // namespace infera
