#include "ops/op_util.h"

#include <algorithm>
#include <type_traits>

#include "ops/dispatch.h"

namespace infera {

int64_t normalize_axis(int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    throw Error(ErrorKind::kInvalidArgument, std::string(what) + " " + std::to_string(axis) +
                                                 " is out of range for rank " +
                                                 std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      throw Error(ErrorKind::kInvalidArgument, "shapes " + shape_to_string(a) + " and " +
                                                   shape_to_string(b) + " cannot broadcast");
    }
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  const std::vector<int64_t> own = strides_of(in);
  const size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[i + offset] = in[i] == 1 ? 0 : own[i];
  return strides;
}

std::vector<int64_t> read_int_list(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[static_cast<size_t>(i)] = read_scalar_int(t, i);
  return v;
}

double read_scalar_double(const Tensor& t, int64_t index) {
  if (t.dtype() == DType::kBool) return t.data<bool>()[index] ? 1.0 : 0.0;
  return dispatch_numeric(t.dtype(),
                          [&]<typename T>() { return static_cast<double>(t.data<T>()[index]); });
}

int64_t read_scalar_int(const Tensor& t, int64_t index) {
  if (t.dtype() == DType::kBool) return t.data<bool>()[index] ? 1 : 0;
  return dispatch_numeric(t.dtype(), [&]<typename T>() -> int64_t {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<int64_t>(t.data<T>()[index]);
    } else {
      return static_cast<int64_t>(static_cast<double>(t.data<T>()[index]));
    }
  });
}

}  // namespace infera
