// Helpers shared by the tensor-manipulation ops (Concat, Slice, Transpose, Pad, ...): they move
// elements without looking at them, so strings have to travel along with fixed-size types.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {

// Enough for any model seen in practice; run() keeps per-dim state on the stack.
constexpr int kMaxMoveRank = 16;

// dispatch_by_size, plus std::string for string tensors.
template <typename F>
decltype(auto) dispatch_movable(DType dt, F&& f) {
  if (dt == DType::kString) return f.template operator()<std::string>();
  return dispatch_by_size(dt, std::forward<F>(f));
}

// Element i of an int32 or int64 index tensor (the caller checked the dtype).
inline int64_t index_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::kInt32 ? t.data<int32_t>()[i] : t.data<int64_t>()[i];
}
// Fails naming the input unless it is int32 or int64.
void check_index_dtype(const InferContext& ctx, int i);

// Fails naming the op when a tensor's rank exceeds what the stack-based kernels handle.
void check_move_rank(const RunContext& ctx, int64_t rank);

// Row-major element strides of `shape` written to `strides` (rank entries).
void row_major_strides(const Shape& shape, int64_t* strides);

// dst[i] = src[base + sum(index_d(i) * src_strides[d])] for every i of dst, where index(i) walks
// dst's shape in row-major order. Transpose, Slice, Expand and the depth/space shuffles are all
// this copy with different strides.
void copy_strided(const Tensor& src, Tensor& dst, const int64_t* src_strides, int64_t src_base);
// The same, walking dst as if it had shape `dst_dims` (rank entries, same element count).
void copy_strided(const Tensor& src, Tensor& dst, const int64_t* dst_dims, int rank,
                  const int64_t* src_strides, int64_t src_base);

// Whole-tensor copy that is a no-op when the runtime let the output alias the input.
void copy_unless_aliased(const Tensor& src, Tensor& dst);

// Optional int-list input (axes, steps, split): empty when the input is omitted.
std::vector<int64_t> optional_int_list(const InferContext& ctx, int i);
std::vector<int64_t> optional_int_list(const RunContext& ctx, int i);

// Reads a 1-D (or scalar) int tensor into `out` (at most kMaxMoveRank values, else fails);
// returns the count. For run(), where a vector would allocate.
int read_small_int_list(const RunContext& ctx, int i, int64_t* out);

// True when every present input among `inputs` has its data known.
bool inputs_known(const InferContext& ctx, std::initializer_list<int> inputs);

// The output for a node whose shape depends on input data: planned memory when infer() could
// compute the shape ahead of time, otherwise fresh memory of the shape `shape_fn` computes now.
template <typename ShapeFn>
Tensor& planned_or_allocated(RunContext& ctx, int i, DType dtype, ShapeFn&& shape_fn) {
  Tensor& planned = ctx.output(i);
  if (planned.defined() && planned.has_data()) return planned;
  return ctx.allocate_output(i, dtype, shape_fn());
}

}  // namespace infera
