// Gemm: Y = alpha * op(A) @ op(B) + beta * C, op = optional transpose, C broadcast to [M, N].
//
// Without transB the product runs i-k-j so the inner loop streams rows of B and Y; with transB
// (the usual fully-connected layout) it runs as dot products over contiguous rows of A and B.
#include <algorithm>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

class GemmKernel final : public OpKernel {
 public:
  explicit GemmKernel(const KernelInit& init)
      : alpha_(init.attr_float("alpha", 1.0f)),
        beta_(init.attr_float("beta", 1.0f)),
        trans_a_(init.attr_int("transA", 0) != 0),
        trans_b_(init.attr_int("transB", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (a.rank() != 2 || b.rank() != 2)
      ctx.fail("A " + shape_to_string(a.shape()) + " and B " + shape_to_string(b.shape()) +
               " must be matrices");
    if (a.dtype() != b.dtype())
      ctx.fail(std::string("A is ") + dtype_name(a.dtype()) + " but B is " + dtype_name(b.dtype()));
    const int64_t m = trans_a_ ? a.dim(1) : a.dim(0), k = trans_a_ ? a.dim(0) : a.dim(1);
    const int64_t kb = trans_b_ ? b.dim(1) : b.dim(0), n = trans_b_ ? b.dim(0) : b.dim(1);
    if (k != kb)
      ctx.fail("A " + shape_to_string(a.shape()) + (trans_a_ ? " (transposed)" : "") +
               " has inner dim " + std::to_string(k) + " but B " + shape_to_string(b.shape()) +
               (trans_b_ ? " (transposed)" : "") + " has " + std::to_string(kb));
    if (ctx.has_input(2)) {
      const Shape& c = ctx.input(2).shape();
      const bool ok = c.size() <= 2 && (c.empty() || c.back() == 1 || c.back() == n) &&
                      (c.size() < 2 || c[0] == 1 || c[0] == m);
      if (!ok)
        ctx.fail("C " + shape_to_string(c) + " does not broadcast to [" + std::to_string(m) + ", " +
                 std::to_string(n) + "]");
    }
    ctx.set_output(0, a.dtype(), Shape{m, n});
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Tensor& y = ctx.output(0);
    dispatch_numeric(a.dtype(), [&]<typename T>() { gemm<T>(a, b, c, y); });
  }

 private:
  template <typename T>
  void gemm(const Tensor& a, const Tensor& b, const Tensor* c, Tensor& y) const {
    using Acc = accum_t<T>;
    const int64_t m = y.dim(0), n = y.dim(1), k = trans_a_ ? a.dim(0) : a.dim(1);
    const T* A = a.data<T>();
    const T* B = b.data<T>();
    T* Y = y.data<T>();
    // Strides of op(A)[i, p] and op(B)[p, j].
    const int64_t a_i = trans_a_ ? 1 : k, a_p = trans_a_ ? m : 1;
    const int64_t b_p = trans_b_ ? 1 : n, b_j = trans_b_ ? k : 1;
    // C's strides over [M, N], zero along broadcast dims.
    const Shape cs = c ? c->shape() : Shape{};
    const int64_t c_j = !cs.empty() && cs.back() != 1 ? 1 : 0;
    const int64_t c_i = cs.size() == 2 && cs[0] != 1 ? cs[1] : 0;
    Acc acc[kAccumTile];
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j0 = 0; j0 < n; j0 += kAccumTile) {
        const int64_t count = std::min(kAccumTile, n - j0);
        if (trans_b_) {
          for (int64_t j = 0; j < count; ++j) {
            Acc sum = 0;
            for (int64_t p = 0; p < k; ++p)
              sum += Acc(A[i * a_i + p * a_p]) * Acc(B[p * b_p + (j0 + j) * b_j]);
            acc[j] = sum;
          }
        } else {
          std::fill(acc, acc + count, Acc(0));
          for (int64_t p = 0; p < k; ++p) {
            const Acc av = Acc(A[i * a_i + p * a_p]);
            const T* brow = B + p * b_p + j0;
            for (int64_t j = 0; j < count; ++j) acc[j] += av * Acc(brow[j]);
          }
        }
        for (int64_t j = 0; j < count; ++j) {
          double v = static_cast<double>(alpha_) * static_cast<double>(acc[j]);
          if (c)
            v += static_cast<double>(beta_) *
                 static_cast<double>(c->data<T>()[i * c_i + (j0 + j) * c_j]);
          Y[i * n + j0 + j] = from_double<T>(v);
        }
      }
    }
  }

  float alpha_, beta_;
  bool trans_a_, trans_b_;
};

}  // namespace
INFERA_REGISTER_OP("Gemm", GemmKernel);
}  // namespace infera
