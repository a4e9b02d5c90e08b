// QLinearConv: quantized convolution,
// y = saturate(round((conv(x - x_zero, w - w_zero) + B) * x_scale * w_scale / y_scale) + y_zero)
// with w_scale and w_zero per tensor or per output channel and B an optional int32 bias.
#include "ops/conv_direct.h"
#include "ops/conv_shape.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant_util.h"

namespace infera {
namespace {

class QLinearConvKernel final : public OpKernel {
 public:
  explicit QLinearConvKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), group_(init.attr_int("group", 1)) {
    if (group_ < 1) init.fail("group " + std::to_string(group_) + " must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    const Tensor* b = ctx.has_input(8) ? &ctx.input(8) : nullptr;
    const Shape y = infer_conv_shape(ctx, attrs_, group_, x, w, b);
    const char* scalars[] = {"x_scale", "x_zero_point", "", "", "", "y_scale", "y_zero_point"};
    for (int i : {1, 2, 6, 7}) {
      if (ctx.input(i).numel() != 1)
        ctx.fail(std::string(scalars[i - 1]) + " " + shape_to_string(ctx.input(i).shape()) +
                 " must be a scalar");
    }
    for (int i : {4, 5}) {
      if (!quant_param_fits(&ctx.input(i), w.dim(0)))
        ctx.fail(std::string(i == 4 ? "w_scale " : "w_zero_point ") +
                 shape_to_string(ctx.input(i).shape()) +
                 " must be a scalar or have one value per output channel (" +
                 std::to_string(w.dim(0)) + ")");
    }
    ctx.set_output(0, ctx.input(7).dtype(), y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(3);
    SpatialGeometry g;
    resolve_forward_geometry(attrs_, x.shape(), w.shape().data() + 2, g);
    const ConvDims dims{x.dim(0), x.dim(1), w.dim(0), group_};
    const int64_t xz = read_scalar_int(ctx.input(2));
    const double xs = read_scalar_double(ctx.input(1));
    const double ys = read_scalar_double(ctx.input(6));
    const double yz = read_scalar_double(ctx.input(7));
    const QuantParam ws{&ctx.input(4)};
    const QuantParam wz{&ctx.input(5)};
    const Tensor* bias = ctx.has_input(8) ? &ctx.input(8) : nullptr;
    Tensor& y = ctx.output(0);
    dispatch_quant8(x.dtype(), [&]<typename TX>() {
      dispatch_quant8(w.dtype(), [&]<typename TW>() {
        dispatch_quant8(y.dtype(), [&]<typename TY>() {
          TY* out = y.data<TY>();
          conv_direct<int64_t>(
              g, dims, x.data<TX>(), w.data<TW>(),
              [xz](TX v) { return static_cast<int64_t>(v) - xz; },
              [&wz](TW v, int64_t m) { return static_cast<int64_t>(v) - wz.at_int(m); },
              [&](int64_t off, const int64_t* acc, int64_t count, int64_t m) {
                const int64_t b = bias ? read_scalar_int(*bias, m) : 0;
                const double k = xs * ws.at(m) / ys;
                for (int64_t i = 0; i < count; ++i)
                  out[off + i] =
                      saturate_round<TY>(std::rint(static_cast<double>(acc[i] + b) * k) + yz);
              });
        });
      });
    });
  }

 private:
  SpatialAttrs attrs_;
  int64_t group_;
};

}  // namespace
INFERA_REGISTER_OP("QLinearConv", QLinearConvKernel);
}  // namespace infera
