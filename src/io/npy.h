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

// Writes `tensor` as a version 1.0 .npy file (2.0 when the header would not fit), C order,
// little-endian. Throws Error(kIo) on write failure, Error(kInvalidArgument) for a tensor with
// no data or a dtype with no npy equivalent (bfloat16, string).
void write_npy(const std::string& path, const Tensor& tensor);

// The bytes write_npy would put in a file.
std::string encode_npy(const Tensor& tensor);

}  // namespace infera
