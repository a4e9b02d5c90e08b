// NumPy .npy files: the tensor format that `infera run` reads and writes and that the model
// tests use for reference inputs and outputs.
//
//   Tensor x = read_npy("resnet50.input.npy");       // what np.save wrote
//   write_npy("out.npy", y);                         // what np.load reads
//
// Supported: format versions 1.0, 2.0 and 3.0; C-order arrays of bool, int8..int64,
// uint8..uint64, float16, float32, float64, complex64, complex128, in either byte order
// (big-endian data is swapped on read). Refused, with a message naming the file: Fortran-order
// arrays of rank > 1, structured and object dtypes, strings, and anything malformed or
// truncated. bfloat16 has no npy type, so writing one is refused too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "infera/tensor.h"

namespace infera {

// Reads a whole .npy file into an owned tensor. Throws Error(kIo) when the file cannot be
// opened or read, Error(kInvalidArgument) when its contents are not a supported .npy array.
Tensor read_npy(const std::string& path);

// Same, from bytes already in memory (an HTTP body, an archive member). The bytes are copied;
// `source_name` is used in error messages.
Tensor read_npy_from_memory(const void* bytes, size_t size,
                            const std::string& source_name = "<memory>");

// An array read a few records (first-axis slices) at a time, so memory stays flat however
// large the file: the header is checked as read_npy checks it, then next_batch reads on.
class NpyRecordReader {
 public:
  explicit NpyRecordReader(const std::string& path);
  ~NpyRecordReader();
  NpyRecordReader(const NpyRecordReader&) = delete;
  NpyRecordReader& operator=(const NpyRecordReader&) = delete;

  const Shape& shape() const { return shape_; }  // records first
  int64_t record_count() const { return shape_[0]; }
  // Up to `max_records` further records, [n, shape[1:]...], host byte order; false at the end.
  bool next_batch(size_t max_records, Tensor& out);

 private:
  struct State;
  std::string path_;
  std::unique_ptr<State> state_;
  Shape shape_;
  size_t record_bytes_ = 0;
  int64_t records_read_ = 0;
};

// Writes `tensor` as a version 1.0 .npy file (2.0 when the header would not fit), C order,
// little-endian. Throws Error(kIo) on write failure, Error(kInvalidArgument) for a tensor with
// no data or a dtype with no npy equivalent (bfloat16, string).
void write_npy(const std::string& path, const Tensor& tensor);

// The bytes write_npy would put in a file.
std::string encode_npy(const Tensor& tensor);

}  // namespace infera
