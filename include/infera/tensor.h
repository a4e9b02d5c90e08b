// Tensors: a dtype, a shape and a pointer to dense row-major data.
//
// A Tensor either owns its bytes (Tensor::empty, Tensor::clone) or views memory that someone
// else keeps alive (an arena slot, an initializer inside a memory-mapped model, a caller's
// buffer). Copying a Tensor copies the view, never the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace infera {

// Values match ONNX TensorProto.DataType so files and enums agree without a table.
enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

// Bytes per element; 0 for kUndefined. kString elements are std::string objects.
size_t dtype_size(DType dtype);
// "float32", "int64", ... as users and numpy spell them.
const char* dtype_name(DType dtype);
bool dtype_is_known(int32_t onnx_code);

using Shape = std::vector<int64_t>;
// "[1, 3, 224, 224]"
std::string shape_to_string(const Shape& shape);
// Product of dims; 1 for a scalar.
int64_t shape_numel(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // A view of `data`; `keep_alive` (may be null) holds whatever owns the bytes.
  Tensor(DType dtype, Shape shape, void* data, std::shared_ptr<void> keep_alive = nullptr);

  // Owns fresh zeroed, 64-byte-aligned memory (string tensors hold empty strings).
  static Tensor empty(DType dtype, Shape shape);
  // Like empty(), but the bytes are left as they come, for a caller that writes every one of
  // them before anything reads the tensor (no string tensors).
  static Tensor uninitialized(DType dtype, Shape shape);
  // A metadata-only tensor: dtype and shape, no data (used during shape inference).
  static Tensor meta(DType dtype, Shape shape);
  // A 0-d tensor holding one value.
  template <typename T>
  static Tensor scalar(DType dtype, T value) {
    Tensor t = empty(dtype, {});
    *t.data<T>() = value;
    return t;
  }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const { return shape_[static_cast<size_t>(axis)]; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool has_data() const { return data_ != nullptr || (dtype_ != DType::kUndefined && numel() == 0); }
  bool defined() const { return dtype_ != DType::kUndefined; }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }

  // Same bytes, new shape (element count must match).
  Tensor reshaped(Shape shape) const;
  // Deep copy into owned memory.
  Tensor clone() const;
  // Copies this tensor's elements into `dst` (same dtype and element count).
  void copy_to(Tensor& dst) const;
  const std::shared_ptr<void>& keep_alive() const { return keep_alive_; }
  // Points this tensor at other bytes of the same dtype and shape (binding without copying).
  void set_data(void* data, std::shared_ptr<void> keep_alive = nullptr) {
    data_ = data;
    keep_alive_ = std::move(keep_alive);
  }

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  void* data_ = nullptr;
  std::shared_ptr<void> keep_alive_;
};

// IEEE half and bfloat16 conversions, round-to-nearest-even.
float half_to_float(uint16_t h);
uint16_t float_to_half(float f);
inline float bfloat16_to_float(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  __builtin_memcpy(&f, &bits, 4);
  return f;
}
uint16_t float_to_bfloat16(float f);

}  // namespace infera
