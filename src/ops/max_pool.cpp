// MaxPool: maximum over each window, optionally with the flat input index of each maximum
// (row-major, or column-major over the spatial dims with storage_order = 1).
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/pool_window.h"

namespace infera {
namespace {

// Floats plus the 8-bit integers MaxPool accepts since opset 12.
template <typename F>
void dispatch_max_pool(DType dt, F&& f) {
  if (dt == DType::kInt8) return f.template operator()<int8_t>();
  if (dt == DType::kUInt8) return f.template operator()<uint8_t>();
  dispatch_float(dt, std::forward<F>(f));
}

class MaxPoolKernel final : public OpKernel {
 public:
  explicit MaxPoolKernel(const KernelInit& init)
      : attrs_(parse_spatial_attrs(init)), column_major_(init.attr_int("storage_order", 0) != 0) {
    if (attrs_.kernel_shape.empty()) init.fail("missing required attribute 'kernel_shape'");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SpatialGeometry g = resolve_pool_geometry(attrs_, x.shape(), &ctx);
    const Shape y = pool_output_shape(x.shape(), g);
    ctx.set_output(0, x.dtype(), y);
    if (ctx.num_outputs() > 1 && ctx.has_output(1)) ctx.set_output(1, DType::kInt64, y);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const SpatialGeometry g = resolve_pool_geometry(attrs_, x.shape(), nullptr);
    int64_t* indices =
        ctx.num_outputs() > 1 && ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
    dispatch_max_pool(x.dtype(), [&]<typename T>() {
      pool<T>(g, x.dim(0) * x.dim(1), x.data<T>(), ctx.output(0).data<T>(), indices);
    });
  }

 private:
  template <typename T>
  void pool(const SpatialGeometry& g, int64_t planes, const T* x, T* y, int64_t* indices) const {
    const int64_t in_plane = g.in_size(), out_plane = g.out_size();
    for (int64_t p = 0; p < planes; ++p) {
      const T* xp = x + p * in_plane;
      for_each_pool_window(g, [&](int64_t out, const PoolWindow& w) {
        double best = 0;  // exact for every element type MaxPool takes
        int64_t best_at = -1;
        int64_t best_index = 0;
        for_each_window_element(g, w, [&](int64_t in, int64_t id, int64_t ih, int64_t iw) {
          const double v = static_cast<double>(xp[in]);
          if (best_at < 0 || v > best) {
            best = v;
            best_at = in;
            best_index = column_major_ ? (iw * g.in[1] + ih) * g.in[0] + id : in;
          }
        });
        y[p * out_plane + out] = best_at >= 0 ? xp[best_at] : T(0);
        if (indices) indices[p * out_plane + out] = p * in_plane + best_index;
      });
    }
  }

  SpatialAttrs attrs_;
  bool column_major_;
};

}  // namespace
INFERA_REGISTER_OP("MaxPool", MaxPoolKernel);
}  // namespace infera
