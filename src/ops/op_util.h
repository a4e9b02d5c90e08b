// Small helpers that many reference kernels share: axes, strides, broadcasting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infera/tensor.h"
#include "ops/op.h"

namespace infera {

// Maps a possibly negative axis into [0, rank); throws naming the op when out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* what = "axis");

// Row-major strides in elements.
std::vector<int64_t> strides_of(const Shape& shape);

// numpy-style multidirectional broadcast of two shapes; throws with both shapes when they
// cannot broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Element strides of `in` seen through broadcasting to `out` (0 on broadcast dims).
// `in` is right-aligned against `out`.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Visits every index of `out` in row-major order, keeping the flat offsets of up to three
// broadcast inputs in step. f(out_index, offset0, offset1, offset2).
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<std::vector<int64_t>>& in_strides,
                        F&& f) {
  const size_t rank = out.size();
  const size_t n_in = in_strides.size();
  const int64_t total = shape_numel(out);
  if (total == 0) return;
  int64_t counter[16] = {0};
  std::vector<int64_t> counter_vec;
  int64_t* idx = counter;
  if (rank > 16) {
    counter_vec.assign(rank, 0);
    idx = counter_vec.data();
  }
  int64_t off[3] = {0, 0, 0};
  for (int64_t flat = 0; flat < total; ++flat) {
    f(flat, off[0], off[1], off[2]);
    for (size_t d = rank; d-- > 0;) {
      ++idx[d];
      for (size_t k = 0; k < n_in; ++k) off[k] += in_strides[k][d];
      if (idx[d] < out[d]) break;
      for (size_t k = 0; k < n_in; ++k) off[k] -= in_strides[k][d] * out[d];
      idx[d] = 0;
    }
  }
}

// Reads a 1-D (or scalar) int32/int64 tensor into int64 values.
std::vector<int64_t> read_int_list(const Tensor& t);
// Reads one element of any numeric tensor as double / int64.
double read_scalar_double(const Tensor& t, int64_t index = 0);
int64_t read_scalar_int(const Tensor& t, int64_t index = 0);

}  // namespace infera
