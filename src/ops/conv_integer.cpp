// ConvInteger: int32 Y = conv(x - x_zero_point, w - w_zero_point) for 8-bit x and w; the
// weight zero point is per tensor or per output channel. Padding reads as the zero point.
#include "ops/conv_direct.h"
#include "ops/conv_shape.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/quant_util.h"

namespace infera {
namespace {

class ConvIntegerKernel final : public OpKernel {
 public:
  explicit ConvIntegerKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), group_(init.attr_int("group", 1)) {
    if (group_ < 1) init.fail("group " + std::to_string(group_) + " must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const Shape y = infer_conv_shape(ctx, attrs_, group_, x, w, nullptr);
    if (ctx.has_input(2) && ctx.input(2).numel() != 1)
      ctx.fail("x_zero_point " + shape_to_string(ctx.input(2).shape()) + " must be a scalar");
    if (ctx.has_input(3) && !quant_param_fits(&ctx.input(3), w.dim(0)))
      ctx.fail("w_zero_point " + shape_to_string(ctx.input(3).shape()) +
               " must be a scalar or have one value per output channel (" +
               std::to_string(w.dim(0)) + ")");
    ctx.set_output(0, DType::kInt32, y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    SpatialGeometry g;
    resolve_forward_geometry(attrs_, x.shape(), w.shape().data() + 2, g);
    const ConvDims dims{x.dim(0), x.dim(1), w.dim(0), group_};
    const int64_t xz = ctx.has_input(2) ? read_scalar_int(ctx.input(2)) : 0;
    const QuantParam wz{ctx.has_input(3) ? &ctx.input(3) : nullptr};
    int32_t* out = ctx.output(0).data<int32_t>();
    dispatch_quant8(x.dtype(), [&]<typename TX>() {
      dispatch_quant8(w.dtype(), [&]<typename TW>() {
        conv_direct<int64_t>(
            g, dims, x.data<TX>(), w.data<TW>(),
            [xz](TX v) { return static_cast<int64_t>(v) - xz; },
            [&wz](TW v, int64_t m) { return static_cast<int64_t>(v) - wz.at_int(m); },
            [&](int64_t off, const int64_t* acc, int64_t count, int64_t) {
              for (int64_t i = 0; i < count; ++i) out[off + i] = static_cast<int32_t>(acc[i]);
            });
      });
    });
  }

 private:
  SpatialAttrs attrs_;
  int64_t group_;
};

}  // namespace
INFERA_REGISTER_OP("ConvInteger", ConvIntegerKernel);
}  // namespace infera
