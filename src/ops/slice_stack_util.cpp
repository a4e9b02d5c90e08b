#include "ops/slice_stack_util.h"

#include <cstring>

#include "infera/error.h"

namespace infera {

namespace {
int64_t product(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}
}  // namespace

Tensor take_slice(const Tensor& x, int64_t axis, int64_t index) {
  const Shape& s = x.shape();
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = product(s, 0, a);
  const int64_t inner = product(s, a + 1, s.size());
  Shape out_shape = s;
  out_shape.erase(out_shape.begin() + axis);
  Tensor out = Tensor::empty(x.dtype(), out_shape);
  const size_t elem = dtype_size(x.dtype());
  const size_t row = static_cast<size_t>(inner) * elem;
  for (int64_t o = 0; o < outer; ++o) {
    const auto* src = static_cast<const uint8_t*>(x.raw()) +
                      static_cast<size_t>(o * s[a] + index) * row;
    std::memcpy(static_cast<uint8_t*>(out.raw()) + static_cast<size_t>(o) * row, src, row);
  }
  return out;
}

Tensor stack_tensors(const std::vector<Tensor>& items, int64_t axis, DType dtype,
                     const Shape& element_shape) {
  const Shape& elem_shape = items.empty() ? element_shape : items[0].shape();
  const DType dt = items.empty() ? dtype : items[0].dtype();
  Shape out_shape = elem_shape;
  out_shape.insert(out_shape.begin() + axis, static_cast<int64_t>(items.size()));
  Tensor out = Tensor::empty(dt, out_shape);
  const size_t a = static_cast<size_t>(axis);
  const int64_t outer = product(elem_shape, 0, a);
  const size_t row = static_cast<size_t>(product(elem_shape, a, elem_shape.size())) * dtype_size(dt);
  for (size_t k = 0; k < items.size(); ++k) {
    if (items[k].shape() != elem_shape || items[k].dtype() != dt)
      throw Error(ErrorKind::kInvalidArgument,
                  "cannot stack " + shape_to_string(items[k].shape()) + " with " +
                      shape_to_string(elem_shape) + ": iterations produced different shapes");
    for (int64_t o = 0; o < outer; ++o) {
      auto* dst = static_cast<uint8_t*>(out.raw()) + (static_cast<size_t>(o) * items.size() + k) * row;
      std::memcpy(dst, static_cast<const uint8_t*>(items[k].raw()) + static_cast<size_t>(o) * row, row);
    }
  }
  return out;
}

}  // namespace infera
