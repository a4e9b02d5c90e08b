#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "infera/error.h"
#include "infera/tensor.h"

namespace infera {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: case DType::kInt32: case DType::kUInt32: return 4;
    case DType::kUInt8: case DType::kInt8: case DType::kBool: return 1;
    case DType::kUInt16: case DType::kInt16: case DType::kFloat16: case DType::kBFloat16: return 2;
    case DType::kInt64: case DType::kUInt64: case DType::kFloat64: case DType::kComplex64: return 8;
    case DType::kComplex128: return 16;
    case DType::kString: return sizeof(std::string);
    default: return 0;
  }
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kFloat32: return "float32";
    case DType::kUInt8: return "uint8";
    case DType::kInt8: return "int8";
    case DType::kUInt16: return "uint16";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kString: return "string";
    case DType::kBool: return "bool";
    case DType::kFloat16: return "float16";
    case DType::kFloat64: return "float64";
    case DType::kUInt32: return "uint32";
    case DType::kUInt64: return "uint64";
    case DType::kComplex64: return "complex64";
    case DType::kComplex128: return "complex128";
    case DType::kBFloat16: return "bfloat16";
    default: return "undefined";
  }
}

bool dtype_is_known(int32_t code) { return code >= 1 && code <= 16; }

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Tensor::Tensor(DType dtype, Shape shape, void* data, std::shared_ptr<void> keep_alive)
    : dtype_(dtype), shape_(std::move(shape)), data_(data), keep_alive_(std::move(keep_alive)) {}

namespace {
// Rejects shapes whose byte size would overflow or that no machine could hold.
size_t checked_bytes(DType dtype, const Shape& shape) {
  constexpr uint64_t kMaxBytes = uint64_t{1} << 46;
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw Error(ErrorKind::kInvalidArgument, "negative dimension in shape " + shape_to_string(shape));
    if (d != 0 && n > kMaxBytes / static_cast<uint64_t>(d))
      throw Error(ErrorKind::kInvalidArgument, "tensor of shape " + shape_to_string(shape) + " is too large");
    n *= static_cast<uint64_t>(d);
  }
  const uint64_t elem = dtype_size(dtype);
  if (elem == 0) throw Error(ErrorKind::kUnsupported, std::string("cannot hold elements of dtype ") + dtype_name(dtype));
  if (n > kMaxBytes / elem) throw Error(ErrorKind::kInvalidArgument, "tensor of shape " + shape_to_string(shape) + " is too large");
  return static_cast<size_t>(n * elem);
}
}  // namespace

Tensor Tensor::empty(DType dtype, Shape shape) {
  const size_t bytes = checked_bytes(dtype, shape);
  if (dtype == DType::kString) {
    const size_t n = bytes / sizeof(std::string);
    std::shared_ptr<std::string[]> strings(new std::string[n > 0 ? n : 1]);
    void* p = strings.get();
    return Tensor(dtype, std::move(shape), p, std::shared_ptr<void>(strings, p));
  }
  Tensor t = uninitialized(dtype, std::move(shape));
  std::memset(t.data_, 0, bytes);
  return t;
}

Tensor Tensor::uninitialized(DType dtype, Shape shape) {
  if (dtype == DType::kString)
    throw Error(ErrorKind::kInvalidArgument, "string tensors cannot be uninitialized");
  const size_t bytes = checked_bytes(dtype, shape);
  const size_t padded = (bytes + 63) / 64 * 64 + 64;
  void* p = std::aligned_alloc(64, padded);
  if (!p) throw std::bad_alloc();
  // The padding past the last element stays zero: vector loops may read (never use) it.
  std::memset(static_cast<uint8_t*>(p) + bytes, 0, padded - bytes);
  return Tensor(dtype, std::move(shape), p, std::shared_ptr<void>(p, std::free));
}

Tensor Tensor::meta(DType dtype, Shape shape) { return Tensor(dtype, std::move(shape), nullptr); }

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel())
    throw Error(ErrorKind::kInvalidArgument, "cannot reshape " + shape_to_string(shape_) + " to " + shape_to_string(shape));
  return Tensor(dtype_, std::move(shape), data_, keep_alive_);
}

Tensor Tensor::clone() const {
  Tensor t = empty(dtype_, shape_);
  copy_to(t);
  return t;
}

void Tensor::copy_to(Tensor& dst) const {
  if (dst.dtype_ != dtype_ || dst.numel() != numel())
    throw Error(ErrorKind::kInternal, "copy_to: mismatched tensors");
  if (dtype_ == DType::kString) {
    const auto* src = static_cast<const std::string*>(data_);
    auto* out = static_cast<std::string*>(dst.data_);
    for (int64_t i = 0; i < numel(); ++i) out[i] = src[i];
    return;
  }
  if (nbytes() && dst.data_ != data_) std::memmove(dst.data_, data_, nbytes());
}

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 1;
      while (!(mant & 0x400u)) { mant <<= 1; --exp; }
      mant &= 0x3ffu;
      bits = sign | ((exp + 112) << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return sign | (abs > 0x7f800000u ? 0x7e00 : 0x7c00);  // NaN / Inf
  if (abs >= 0x477ff000u) return sign | 0x7c00;  // rounds to >= 65520: overflow to Inf
  if (abs < 0x38800000u) {  // result is subnormal or zero
    if (abs < 0x33000000u) return sign;
    const uint32_t exp = abs >> 23;
    const uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - exp;  // 14 + (113 - exp) ... into 10-bit mantissa
    uint32_t half_mant = mant >> (shift);
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half_mant & 1))) ++half_mant;
    return sign | static_cast<uint16_t>(half_mant);
  }
  uint32_t h = ((abs >> 13) - (112u << 10));
  const uint32_t rem = abs & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
  return sign | static_cast<uint16_t>(h);
}

uint16_t float_to_bfloat16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40);
  const uint32_t rounding = 0x7fffu + ((x >> 16) & 1);
  return static_cast<uint16_t>((x + rounding) >> 16);
}

}  // namespace infera
