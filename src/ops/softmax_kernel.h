// The engine behind Softmax, LogSoftmax and Hardmax: each normalises "rows" of its input and
// differs only in what it does to one row, supplied as `RowOp::apply(in, out, n, stride)`.
//
// Before opset 13 the input is coerced to 2-D at `axis` (default 1) and a row is everything
// from that axis on; from opset 13 a row runs along the single axis `axis` (default -1).
#pragma once

#include <cmath>
#include <cstdint>

#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {

// Rows of a tensor seen as [outer, n, inner]: row (o, i) starts at o*n*inner + i, stride inner.
struct RowLayout {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
};

inline RowLayout softmax_rows(const Shape& shape, int64_t axis_attr, bool coerce_2d) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t axis = normalize_axis(axis_attr, rank);
  RowLayout rows;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t extent = shape[size_t(d)];
    if (d < axis) {
      rows.outer *= extent;
    } else if (d == axis || coerce_2d) {
      rows.n *= extent;
    } else {
      rows.inner *= extent;
    }
  }
  return rows;
}

template <typename RowOp>
class SoftmaxLikeKernel final : public OpKernel {
 public:
  explicit SoftmaxLikeKernel(const KernelInit& init)
      : coerce_2d_(init.opset() < 13), axis_(init.attr_int("axis", coerce_2d_ ? 1 : -1)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    normalize_axis(axis_, x.rank());
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const RowLayout rows = softmax_rows(x.shape(), axis_, coerce_2d_);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t o = 0; o < rows.outer; ++o) {
        for (int64_t i = 0; i < rows.inner; ++i) {
          const int64_t start = o * rows.n * rows.inner + i;
          RowOp::apply(in + start, out + start, rows.n, rows.inner);
        }
      }
    });
  }

 private:
  bool coerce_2d_;
  int64_t axis_;
};

// Largest element of a strided row, the shift that keeps exp() from overflowing.
template <typename T>
double row_max(const T* in, int64_t n, int64_t stride) {
  double m = -INFINITY;
  for (int64_t k = 0; k < n; ++k) m = std::fmax(m, static_cast<double>(in[k * stride]));
  return m;
}

}  // namespace infera
