// The integer matrix product behind MatMulInteger and QLinearMatMul:
// acc[i, j] = sum_k (a[i, k] - a_zero[i]) * (b[k, j] - b_zero[j]) in 64-bit, batched with numpy
// broadcasting. Zero points are scalars, per row of A / per column of B ([M] / [N]), or the
// same per matrix of the batch ([..., M, 1] / [..., 1, N]).
#pragma once

#include <algorithm>
#include <cstdint>

#include "ops/accum.h"
#include "ops/matmul_shape.h"
#include "ops/quant_util.h"

namespace infera {

// True when zp (may be null) is a scalar, or has one value per row (per_matrix = M) or per
// column (N) of every matrix of an operand holding `matrices` matrices.
inline bool matmul_zero_point_fits(const Tensor* zp, int64_t per_matrix, int64_t matrices) {
  return !zp || zp->numel() == 1 || zp->numel() == per_matrix ||
         zp->numel() == per_matrix * matrices;
}

// Index into a zero point for matrix `matrix` and row/column `i`.
inline int64_t zero_point_index(const Tensor* zp, int64_t per_matrix, int64_t matrix, int64_t i) {
  if (!zp || zp->numel() == 1) return 0;
  return zp->numel() == per_matrix ? i : matrix * per_matrix + i;
}

// emit(y_offset, acc, count, t, i, j0): one tile of row i of batch t, columns j0...
template <typename TA, typename TB, typename Emit>
void matmul_integer(const MatMulGeometry& g, const TA* a, const TB* b, const Tensor* a_zero,
                    const Tensor* b_zero, Emit emit) {
  int64_t acc[kAccumTile];
  int64_t bz[kAccumTile];
  for (int64_t t = 0; t < g.batch_count; ++t) {
    int64_t a_off, b_off;
    g.offsets(t, a_off, b_off);
    const int64_t a_mat = a_off / std::max<int64_t>(1, g.m * g.k);
    const int64_t b_mat = b_off / std::max<int64_t>(1, g.k * g.n);
    for (int64_t i = 0; i < g.m; ++i) {
      const int64_t az =
          a_zero ? read_scalar_int(*a_zero, zero_point_index(a_zero, g.m, a_mat, i)) : 0;
      for (int64_t j0 = 0; j0 < g.n; j0 += kAccumTile) {
        const int64_t count = std::min(kAccumTile, g.n - j0);
        for (int64_t j = 0; j < count; ++j) {
          bz[j] =
              b_zero ? read_scalar_int(*b_zero, zero_point_index(b_zero, g.n, b_mat, j0 + j)) : 0;
          acc[j] = 0;
        }
        for (int64_t p = 0; p < g.k; ++p) {
          const int64_t av = static_cast<int64_t>(a[a_off + i * g.k + p]) - az;
          const TB* brow = b + b_off + p * g.n + j0;
          for (int64_t j = 0; j < count; ++j)
            acc[j] += av * (static_cast<int64_t>(brow[j]) - bz[j]);
        }
        emit((t * g.m + i) * g.n + j0, acc, count, t, i, j0);
      }
    }
  }
}

}  // namespace infera
