// MatMulInteger: int32 Y = (A - a_zero_point) @ (B - b_zero_point) for 8-bit A and B.
#include "ops/dispatch.h"
#include "ops/matmul_integer_core.h"
#include "ops/op.h"

namespace infera {
namespace {

class MatMulIntegerKernel final : public OpKernel {
 public:
  explicit MatMulIntegerKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    MatMulGeometry g;
    Shape y;
    const std::string err = resolve_matmul(a.shape(), b.shape(), g, &y);
    if (!err.empty()) ctx.fail(err);
    const Tensor* az = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* bz = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    if (!matmul_zero_point_fits(az, g.m, a.numel() / std::max<int64_t>(1, g.m * g.k)))
      ctx.fail("a_zero_point " + shape_to_string(az->shape()) +
               " is neither a scalar nor per row of A " + shape_to_string(a.shape()));
    if (!matmul_zero_point_fits(bz, g.n, b.numel() / std::max<int64_t>(1, g.k * g.n)))
      ctx.fail("b_zero_point " + shape_to_string(bz->shape()) +
               " is neither a scalar nor per column of B " + shape_to_string(b.shape()));
    ctx.set_output(0, DType::kInt32, y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    MatMulGeometry g;
    resolve_matmul(a.shape(), b.shape(), g, nullptr);
    const Tensor* az = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const Tensor* bz = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    int32_t* y = ctx.output(0).data<int32_t>();
    dispatch_quant8(a.dtype(), [&]<typename TA>() {
      dispatch_quant8(b.dtype(), [&]<typename TB>() {
        matmul_integer(
            g, a.data<TA>(), b.data<TB>(), az, bz,
            [&](int64_t off, const int64_t* acc, int64_t count, int64_t, int64_t, int64_t) {
              for (int64_t j = 0; j < count; ++j) y[off + j] = static_cast<int32_t>(acc[j]);
            });
      });
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("MatMulInteger", MatMulIntegerKernel);
}  // namespace infera
