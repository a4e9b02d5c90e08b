// Allocation-free N-d iteration for reference kernels that walk a subset of a tensor's axes
// (reductions, arg-reductions, softmax rows): a list of (extent, stride) pairs visited in
// row-major order, yielding the flat element offset of each position.
#pragma once

#include <cstdint>

#include "infera/tensor.h"
#include "ops/op.h"

namespace infera {

inline constexpr int kMaxIterRank = 16;

// Row-major element strides of `shape` written into `out` (rank <= kMaxIterRank).
inline void row_major_strides(const Shape& shape, int64_t* out) {
  int64_t s = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    out[d] = s;
    s *= shape[d];
  }
}

class NdLoop {
 public:
  void push(int64_t extent, int64_t stride) {
    extent_[rank_] = extent;
    stride_[rank_] = stride;
    ++rank_;
  }
  int rank() const { return rank_; }
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < rank_; ++d) n *= extent_[d];
    return n;
  }
  // Calls f(offset) for every position; an empty loop (rank 0) visits offset 0 once.
  template <typename F>
  void for_each(F&& f) const {
    const int64_t total = numel();
    int64_t idx[kMaxIterRank] = {};
    int64_t off = 0;
    for (int64_t n = 0; n < total; ++n) {
      f(off);
      for (int d = rank_; d-- > 0;) {
        off += stride_[d];
        if (++idx[d] < extent_[d]) break;
        off -= stride_[d] * extent_[d];
        idx[d] = 0;
      }
    }
  }

 private:
  int rank_ = 0;
  int64_t extent_[kMaxIterRank] = {};
  int64_t stride_[kMaxIterRank] = {};
};

// Memory for an output whose shape came from input data. When that data was known to infer()
// (at prepare time, or when the runtime re-infers a dynamic node with real inputs) the output
// is already placed with this shape; only an output declared dynamic needs allocating here.
inline Tensor& data_dependent_output(RunContext& ctx, int i, DType dtype, const Shape& shape) {
  Tensor& planned = ctx.output(i);
  if (planned.has_data() && planned.dtype() == dtype && planned.shape() == shape) return planned;
  return ctx.allocate_output(i, dtype, shape);
}

// The same for a shape held in a fixed array, so a kernel whose output was already placed
// builds no Shape (and allocates nothing) on the hot path.
inline Tensor& data_dependent_output(RunContext& ctx, int i, DType dtype, const int64_t* dims,
                                     int rank) {
  Tensor& planned = ctx.output(i);
  if (planned.has_data() && planned.dtype() == dtype && planned.rank() == rank) {
    bool same = true;
    for (int d = 0; d < rank; ++d) same = same && planned.dim(d) == dims[d];
    if (same) return planned;
  }
  return ctx.allocate_output(i, dtype, Shape(dims, dims + rank));
}

}  // namespace infera
