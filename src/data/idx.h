// IDX files: the format of MNIST and Fashion-MNIST, gzipped or not.
//
//   IdxReader images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
//   Tensor batch;                                  // [<=256, 28, 28] uint8 per call
//   while (images.next_batch(256, batch)) consume(batch);
//
//   Tensor labels = read_idx(".../t10k-labels-idx1-ubyte.gz");   // [10000] uint8
//
// Layout: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
// 0x0D float32, 0x0E float64), the number of dimensions, then each dimension as a big-endian
// uint32, then the data in row-major order, big-endian. The first dimension counts records.
// A file starting with the gzip magic 1f 8b is decompressed as it is read, so memory stays
// flat however large the file is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "infera/tensor.h"

namespace infera {

class IdxReader {
 public:
  // Opens `path` and validates its header; throws Error(kIo) when it cannot be opened or read,
  // Error(kInvalidArgument) when it is not a well-formed IDX file.
  explicit IdxReader(const std::string& path);
  ~IdxReader();
  IdxReader(const IdxReader&) = delete;
  IdxReader& operator=(const IdxReader&) = delete;

  const std::string& path() const { return path_; }
  DType dtype() const { return dtype_; }
  // Every dimension, records first: [60000, 28, 28].
  const Shape& shape() const { return shape_; }
  int64_t record_count() const { return shape_[0]; }
  // One record's dimensions: [28, 28].
  Shape record_shape() const { return Shape(shape_.begin() + 1, shape_.end()); }
  int64_t records_read() const { return records_read_; }
  bool compressed() const;

  // Reads up to `max_records` further records into `out` (fresh memory, shape
  // [n, record_shape...], host byte order) and returns true; returns false, leaving `out`
  // alone, once every record has been read. After the last record it checks the file holds
  // nothing more, so a file with trailing bytes fails rather than passing silently.
  bool next_batch(size_t max_records, Tensor& out);

 private:
  class Stream;

  void read_header();
  void check_uncompressed_size() const;
  void check_nothing_after_data() const;

  std::string path_;
  std::unique_ptr<Stream> stream_;
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  size_t header_bytes_ = 0;
  size_t record_bytes_ = 0;
  int64_t records_read_ = 0;
};

// The whole file as one tensor.
Tensor read_idx(const std::string& path);

}  // namespace infera
