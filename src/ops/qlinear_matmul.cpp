// QLinearMatMul: quantized matmul,
// y = saturate(round((a - a_zero) @ (b - b_zero) * a_scale * b_scale / y_scale) + y_zero).
// Scales and zero points of A are per tensor or per row, of B per tensor or per column.
#include "ops/dispatch.h"
#include "ops/matmul_integer_core.h"
#include "ops/op.h"

namespace infera {
namespace {

class QLinearMatMulKernel final : public OpKernel {
 public:
  explicit QLinearMatMulKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    MatMulGeometry g;
    Shape y;
    const std::string err = resolve_matmul(a.shape(), b.shape(), g, &y);
    if (!err.empty()) ctx.fail(err);
    const int64_t a_mats = a.numel() / std::max<int64_t>(1, g.m * g.k);
    const int64_t b_mats = b.numel() / std::max<int64_t>(1, g.k * g.n);
    const char* names[] = {"a_scale", "a_zero_point", "b_scale", "b_zero_point"};
    const int inputs[] = {1, 2, 4, 5};
    for (int i = 0; i < 4; ++i) {
      const bool of_a = i < 2;
      if (!matmul_zero_point_fits(&ctx.input(inputs[i]), of_a ? g.m : g.n, of_a ? a_mats : b_mats))
        ctx.fail(std::string(names[i]) + " " + shape_to_string(ctx.input(inputs[i]).shape()) +
                 (of_a ? " is neither a scalar nor per row of A " + shape_to_string(a.shape())
                       : " is neither a scalar nor per column of B " + shape_to_string(b.shape())));
    }
    if (ctx.input(6).numel() != 1 || ctx.input(7).numel() != 1)
      ctx.fail("y_scale and y_zero_point must be scalars");
    ctx.set_output(0, ctx.input(7).dtype(), y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    const Tensor& as = ctx.input(1);
    const Tensor& bs = ctx.input(4);
    MatMulGeometry g;
    resolve_matmul(a.shape(), b.shape(), g, nullptr);
    const double y_scale = read_scalar_double(ctx.input(6));
    const double y_zero = read_scalar_double(ctx.input(7));
    Tensor& y = ctx.output(0);
    dispatch_quant8(a.dtype(), [&]<typename TA>() {
      dispatch_quant8(b.dtype(), [&]<typename TB>() {
        dispatch_quant8(y.dtype(), [&]<typename TY>() {
          TY* out = y.data<TY>();
          matmul_integer(g, a.data<TA>(), b.data<TB>(), &ctx.input(2), &ctx.input(5),
                         [&](int64_t off, const int64_t* acc, int64_t count, int64_t t, int64_t i,
                             int64_t j0) {
                           int64_t a_off, b_off;
                           g.offsets(t, a_off, b_off);
                           const int64_t a_mat = a_off / std::max<int64_t>(1, g.m * g.k);
                           const int64_t b_mat = b_off / std::max<int64_t>(1, g.k * g.n);
                           const double sa =
                               read_scalar_double(as, zero_point_index(&as, g.m, a_mat, i));
                           for (int64_t j = 0; j < count; ++j) {
                             const double sb =
                                 read_scalar_double(bs, zero_point_index(&bs, g.n, b_mat, j0 + j));
                             const double real = static_cast<double>(acc[j]) * (sa * sb / y_scale);
                             out[off + j] = saturate_round<TY>(std::rint(real) + y_zero);
                           }
                         });
        });
      });
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("QLinearMatMul", QLinearMatMulKernel);
}  // namespace infera
