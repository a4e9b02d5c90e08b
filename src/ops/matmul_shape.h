// numpy matmul shape rules shared by MatMul, MatMulInteger and QLinearMatMul: 1-D operands are
// promoted to matrices (and the added dim dropped from the result), batch dims broadcast.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "infera/tensor.h"
#include "ops/op.h"

namespace infera {

constexpr int kMaxMatMulRank = 16;

struct MatMulGeometry {
  int64_t m = 1, k = 1, n = 1;
  int batch_rank = 0;
  int64_t batch[kMaxMatMulRank] = {};     // output batch dims
  int64_t a_stride[kMaxMatMulRank] = {};  // per batch dim, in matrices; 0 when broadcast
  int64_t b_stride[kMaxMatMulRank] = {};
  int64_t batch_count = 1;

  // Matrix offsets (in elements) of A and B for flat batch index t.
  void offsets(int64_t t, int64_t& a_off, int64_t& b_off) const {
    int64_t ai = 0, bi = 0;
    for (int d = batch_rank - 1; d >= 0; --d) {
      const int64_t idx = t % batch[d];
      t /= batch[d];
      ai += idx * a_stride[d];
      bi += idx * b_stride[d];
    }
    a_off = ai * m * k;
    b_off = bi * k * n;
  }
};

// Fills g and the output shape; returns a message naming the mismatch, or empty on success.
std::string resolve_matmul(const Shape& a, const Shape& b, MatMulGeometry& g, Shape* out);

// `shape` seen through Transpose(perm), dim i being shape[perm[i]] (FusedMatMul's a_perm,
// b_perm, y_perm); `shape` itself when perm is empty or of another rank.
inline Shape permuted_shape(const Shape& shape, const std::vector<int64_t>& perm) {
  if (perm.empty() || perm.size() != shape.size()) return shape;
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[static_cast<size_t>(perm[i])];
  return out;
}

}  // namespace infera
