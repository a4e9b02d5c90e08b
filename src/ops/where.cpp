// Where: y = condition ? x : y, all three broadcast together numpy-style.
#include <span>
#include <string>

#include "ops/elementwise_common.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class WhereKernel final : public OpKernel {
 public:
  explicit WhereKernel(const KernelInit&) {}

  void infer(InferContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    if (cond.dtype() != DType::kBool) {
      ctx.fail(std::string("condition should be bool, got ") + dtype_name(cond.dtype()));
    }
    check_family(ctx, 1, TypeFamily::kAny);
    if (x.dtype() != y.dtype()) {
      ctx.fail(std::string("X and Y must share a dtype, got ") + dtype_name(x.dtype()) + " and " +
               dtype_name(y.dtype()));
    }
    Shape out;
    try {
      out = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape()), y.shape());
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
    ctx.set_output(0, x.dtype(), std::move(out));
  }

  void run(RunContext& ctx) const override {
    const Tensor& cond = ctx.input(0);
    const Tensor& x = ctx.input(1);
    const Tensor& y = ctx.input(2);
    Tensor& z = ctx.output(0);
    const std::span<const int64_t> ins[3] = {cond.shape(), x.shape(), y.shape()};
    const bool* pc = cond.data<bool>();
    dispatch_family<TypeFamily::kAny>(x.dtype(), [&]<typename T>() {
      const T* px = x.data<T>();
      const T* py = y.data<T>();
      T* out = z.data<T>();
      for_each_broadcast_n<3>(z.shape(), ins, [&](int64_t i, const int64_t(&off)[3]) {
        out[i] = pc[off[0]] ? px[off[1]] : py[off[2]];
      });
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("Where", WhereKernel);
}  // namespace infera
