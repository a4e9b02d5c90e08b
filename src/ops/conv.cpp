// Conv: grouped, dilated, strided N-d convolution (N = 1..3) with optional bias.
#include "ops/conv_direct.h"
#include "ops/conv_geometry.h"
#include "ops/conv_shape.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

class ConvKernel final : public OpKernel {
 public:
  explicit ConvKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), group_(init.attr_int("group", 1)) {
    if (group_ < 1) init.fail("group " + std::to_string(group_) + " must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (w.dtype() != x.dtype())
      ctx.fail(std::string("W is ") + dtype_name(w.dtype()) + " but X is " + dtype_name(x.dtype()));
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    ctx.set_output(0, x.dtype(), infer_conv_shape(ctx, attrs_, group_, x, w, b));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Tensor* b = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    Tensor& y = ctx.output(0);
    SpatialGeometry g;
    resolve_forward_geometry(attrs_, x.shape(), w.shape().data() + 2, g);
    const ConvDims dims{x.dim(0), x.dim(1), w.dim(0), group_};
    dispatch_float(x.dtype(), [&]<typename T>() {
      using Acc = accum_t<T>;
      const T* bias = b ? b->data<T>() : nullptr;
      T* out = y.data<T>();
      conv_direct<Acc>(
          g, dims, x.data<T>(), w.data<T>(), [](T v) { return Acc(v); },
          [](T v, int64_t) { return Acc(v); },
          [&](int64_t off, const Acc* acc, int64_t count, int64_t m) {
            const Acc bm = bias ? Acc(bias[m]) : Acc(0);
            for (int64_t i = 0; i < count; ++i) out[off + i] = T(acc[i] + bm);
          });
    });
  }

 private:
  SpatialAttrs attrs_;
  int64_t group_;
};

}  // namespace
INFERA_REGISTER_OP("Conv", ConvKernel);
}  // namespace infera
