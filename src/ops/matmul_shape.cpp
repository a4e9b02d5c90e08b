#include "ops/matmul_shape.h"

#include <algorithm>

namespace infera {

std::string resolve_matmul(const Shape& a, const Shape& b, MatMulGeometry& g, Shape* out) {
  if (a.empty() || b.empty()) return "MatMul operands must not be scalars";
  g = MatMulGeometry{};
  const bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  g.m = a_vec ? 1 : a[a.size() - 2];
  g.k = a.back();
  const int64_t kb = b_vec ? b[0] : b[b.size() - 2];
  g.n = b_vec ? 1 : b.back();
  if (g.k != kb)
    return "A " + shape_to_string(a) + " has inner dim " + std::to_string(g.k) + " but B " +
           shape_to_string(b) + " has " + std::to_string(kb);
  const int ra = a_vec ? 0 : static_cast<int>(a.size()) - 2;
  const int rb = b_vec ? 0 : static_cast<int>(b.size()) - 2;
  g.batch_rank = std::max(ra, rb);
  if (g.batch_rank > kMaxMatMulRank) return "batch rank above 16 is not supported";
  int64_t sa = 1, sb = 1;
  for (int d = g.batch_rank - 1; d >= 0; --d) {
    const int da = d - (g.batch_rank - ra), db = d - (g.batch_rank - rb);
    const int64_t ea = da >= 0 ? a[da] : 1, eb = db >= 0 ? b[db] : 1;
    if (ea != eb && ea != 1 && eb != 1)
      return "batch dims of A " + shape_to_string(a) + " and B " + shape_to_string(b) +
             " cannot broadcast";
    g.batch[d] = std::max(ea, eb);
    if (ea == 0 || eb == 0) g.batch[d] = 0;
    g.a_stride[d] = ea == 1 ? 0 : sa;
    g.b_stride[d] = eb == 1 ? 0 : sb;
    sa *= ea;
    sb *= eb;
    g.batch_count *= g.batch[d];
  }
  if (out) {
    out->assign(g.batch, g.batch + g.batch_rank);
    if (!a_vec) out->push_back(g.m);
    if (!b_vec) out->push_back(g.n);
  }
  return {};
}

}  // namespace infera
