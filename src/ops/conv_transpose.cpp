// ConvTranspose: the gradient of Conv with respect to its input, N-d (N = 1..3), grouped.
//
// Written as a gather: each output row is summed from the input positions that a forward Conv
// would have read it from, so every output is written once and no zeroing pass is needed.
#include <algorithm>

#include "ops/accum.h"
#include "ops/conv_geometry.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The input index i with i * stride == out + pad - k * dilation, or -1 when there is none.
int64_t source_index(int64_t out, const SpatialGeometry& g, int d, int64_t k) {
  const int64_t num = out + g.pad_begin[d] - k * g.dilation[d];
  if (num < 0 || num % g.stride[d] != 0) return -1;
  const int64_t i = num / g.stride[d];
  return i < g.in[d] ? i : -1;
}

class ConvTransposeKernel final : public OpKernel {
 public:
  explicit ConvTransposeKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), group_(init.attr_int("group", 1)) {
    if (group_ < 1) init.fail("group " + std::to_string(group_) + " must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    if (w.dtype() != x.dtype())
      ctx.fail(std::string("W is ") + dtype_name(w.dtype()) + " but X is " + dtype_name(x.dtype()));
    if (x.rank() < 3 || w.rank() != x.rank())
      ctx.fail("X " + shape_to_string(x.shape()) + " and W " + shape_to_string(w.shape()) +
               " must have the same rank, at least 3");
    if (x.dim(1) != w.dim(0))
      ctx.fail("X has " + std::to_string(x.dim(1)) + " channels but W expects " +
               std::to_string(w.dim(0)));
    if (x.dim(1) % group_ != 0)
      ctx.fail("X has " + std::to_string(x.dim(1)) + " channels, not divisible by group " +
               std::to_string(group_));
    const Shape kernel(w.shape().begin() + 2, w.shape().end());
    if (!attrs_.kernel_shape.empty() && attrs_.kernel_shape != kernel)
      ctx.fail("kernel_shape " + shape_to_string(attrs_.kernel_shape) + " does not match W " +
               shape_to_string(w.shape()));
    const int64_t m = w.dim(1) * group_;
    if (ctx.has_input(2) && ctx.input(2).shape() != Shape{m})
      ctx.fail("B is " + shape_to_string(ctx.input(2).shape()) + " but the output has " +
               std::to_string(m) + " channels");
    SpatialGeometry g;
    const std::string err = resolve_transpose_geometry(attrs_, x.shape(), kernel.data(), g);
    if (!err.empty()) ctx.fail(err);
    Shape y{x.dim(0), m};
    g.append_out_dims(y);
    ctx.set_output(0, x.dtype(), y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    SpatialGeometry g;
    resolve_transpose_geometry(attrs_, x.shape(), w.shape().data() + 2, g);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* bias = ctx.has_input(2) ? ctx.input(2).data<T>() : nullptr;
      run_typed<T>(g, x, w, bias, ctx.output(0));
    });
  }

 private:
  template <typename T>
  void run_typed(const SpatialGeometry& g, const Tensor& x, const Tensor& w, const T* bias,
                 Tensor& y) const {
    using Acc = accum_t<T>;
    const int64_t C = x.dim(1), cg = C / group_, mg = w.dim(1), M = mg * group_;
    const int64_t in_plane = g.in_size(), ksize = g.kernel_size();
    const T* xd = x.data<T>();
    const T* wd = w.data<T>();
    T* out = y.data<T>();
    Acc acc[kAccumTile];
    for (int64_t n = 0; n < x.dim(0); ++n) {
      for (int64_t m = 0; m < M; ++m) {
        const int64_t grp = m / mg;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            T* yrow = out + (((n * M + m) * g.out[0] + od) * g.out[1] + oh) * g.out[2];
            for (int64_t ow0 = 0; ow0 < g.out[2]; ow0 += kAccumTile) {
              const int64_t count = std::min(kAccumTile, g.out[2] - ow0);
              std::fill(acc, acc + count, Acc(0));
              for (int64_t c = grp * cg; c < (grp + 1) * cg; ++c) {
                const T* xc = xd + (n * C + c) * in_plane;
                const T* wc = wd + (c * mg + m % mg) * ksize;
                for (int64_t kd = 0; kd < g.kernel[0]; ++kd) {
                  const int64_t id = source_index(od, g, 0, kd);
                  if (id < 0) continue;
                  for (int64_t kh = 0; kh < g.kernel[1]; ++kh) {
                    const int64_t ih = source_index(oh, g, 1, kh);
                    if (ih < 0) continue;
                    const T* xrow = xc + (id * g.in[1] + ih) * g.in[2];
                    const T* wrow = wc + (kd * g.kernel[1] + kh) * g.kernel[2];
                    for (int64_t kw = 0; kw < g.kernel[2]; ++kw)
                      scatter_row(g, kw, ow0, count, Acc(wrow[kw]), xrow, acc);
                  }
                }
              }
              const Acc b = bias ? Acc(bias[m]) : Acc(0);
              for (int64_t i = 0; i < count; ++i) yrow[ow0 + i] = T(acc[i] + b);
            }
          }
        }
      }
    }
  }

  // Adds w * x[iw] to the output positions ow = iw * stride + kw * dilation - pad that fall in
  // the tile [ow0, ow0 + count).
  template <typename T, typename Acc>
  static void scatter_row(const SpatialGeometry& g, int64_t kw, int64_t ow0, int64_t count, Acc wv,
                          const T* xrow, Acc* acc) {
    const int64_t s = g.stride[2];
    const int64_t r = kw * g.dilation[2] - g.pad_begin[2];
    const int64_t lo = std::max<int64_t>(0, floor_div(ow0 - r + s - 1, s));
    const int64_t hi = std::min<int64_t>(g.in[2], floor_div(ow0 + count - 1 - r, s) + 1);
    for (int64_t iw = lo; iw < hi; ++iw) acc[iw * s + r - ow0] += wv * Acc(xrow[iw]);
  }

  SpatialAttrs attrs_;
  int64_t group_;
};

}  // namespace
INFERA_REGISTER_OP("ConvTranspose", ConvTransposeKernel);
}  // namespace infera
