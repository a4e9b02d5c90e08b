// MaxUnpool: scatters pooled values back to the positions MaxPool's Indices name; every other
// output element is zero.
//
// Indices are read as positions in the default unpooled shape ((in - 1) * stride + kernel -
// pads). When output_shape asks for a larger shape, each value keeps its coordinates and the
// extra rows and columns stay zero, which is what the ONNX reference does.
#include <cstring>

#include "ops/conv_geometry.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class MaxUnpoolKernel final : public OpKernel {
 public:
  explicit MaxUnpoolKernel(const KernelInit& init) : attrs_(parse_spatial_attrs(init)) {
    if (attrs_.kernel_shape.empty()) init.fail("missing required attribute 'kernel_shape'");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    if (idx.shape() != x.shape())
      ctx.fail("I " + shape_to_string(idx.shape()) + " must have the shape of X " +
               shape_to_string(x.shape()));
    if (x.rank() != static_cast<int>(attrs_.kernel_shape.size()) + 2 || x.rank() > 5)
      ctx.fail("X " + shape_to_string(x.shape()) + " does not fit kernel_shape " +
               shape_to_string(attrs_.kernel_shape));
    if (ctx.has_input(2)) {
      // Sized in run() even when output_shape is known now, so run() has one path for it.
      const Tensor& os = ctx.input(2);
      if (os.has_data()) check_output_shape(ctx, x.shape(), read_int_list(os));
      return ctx.set_output_dynamic(0);
    }
    ctx.set_output(0, x.dtype(), default_shape(x.shape()));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& idx = ctx.input(1);
    int64_t out_dims[kMaxSpatialRank + 2];
    const int rank = x.rank();
    if (ctx.has_input(2)) {
      const Tensor& os = ctx.input(2);
      if (os.numel() != rank) ctx.fail("output_shape must have one value per dim of X");
      for (int d = 0; d < rank; ++d) out_dims[d] = read_scalar_int(os, d);
    }
    run_scatter(ctx, x, idx, out_dims);
  }

 private:
  Shape default_shape(const Shape& x) const {
    Shape y{x[0], x[1]};
    const size_t r = attrs_.kernel_shape.size();
    for (size_t i = 0; i < r; ++i) {
      const int64_t s = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      const int64_t pads = attrs_.pads.empty() ? 0 : attrs_.pads[i] + attrs_.pads[r + i];
      y.push_back((x[2 + i] - 1) * s + attrs_.kernel_shape[i] - pads);
    }
    return y;
  }

  void check_output_shape(const InferContext& ctx, const Shape& x, const Shape& y) const {
    const Shape def = default_shape(x);
    bool ok = y.size() == def.size() && y[0] == def[0] && y[1] == def[1];
    for (size_t i = 2; ok && i < y.size(); ++i) ok = y[i] >= def[i];
    if (!ok)
      ctx.fail("output_shape " + shape_to_string(y) + " is smaller than the unpooled shape " +
               shape_to_string(def));
  }

  void run_scatter(RunContext& ctx, const Tensor& x, const Tensor& idx, int64_t* out_dims) const {
    const int rank = x.rank();
    // Default unpooled spatial extents, in which the indices are expressed.
    int64_t def[kMaxSpatialRank + 2];
    int64_t def_plane = 1;
    for (int d = 2; d < rank; ++d) {
      const size_t i = static_cast<size_t>(d - 2), r = attrs_.kernel_shape.size();
      const int64_t s = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      const int64_t pads = attrs_.pads.empty() ? 0 : attrs_.pads[i] + attrs_.pads[r + i];
      def[d] = (x.dim(d) - 1) * s + attrs_.kernel_shape[i] - pads;
      def_plane *= def[d];
    }
    Tensor* y;
    if (ctx.has_input(2)) {
      Shape shape(out_dims, out_dims + rank);  // dynamic output: allowed to allocate
      y = &ctx.allocate_output(0, x.dtype(), shape);
    } else {
      y = &ctx.output(0);
      for (int d = 2; d < rank; ++d) out_dims[d] = def[d];
    }
    int64_t out_plane = 1;
    for (int d = 2; d < rank; ++d) out_plane *= out_dims[d];
    std::memset(y->raw(), 0, y->nbytes());
    const int64_t* ind = idx.data<int64_t>();
    const int64_t planes = x.dim(0) * x.dim(1);
    dispatch_by_size(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) {
        const int64_t plane = ind[i] / def_plane;
        int64_t rem = ind[i] % def_plane, pos = 0, stride = 1;
        if (ind[i] < 0 || plane >= planes) ctx.fail("index out of range");
        for (int d = rank - 1; d >= 2; --d) {
          pos += (rem % def[d]) * stride;
          rem /= def[d];
          stride *= out_dims[d];
        }
        out[plane * out_plane + pos] = in[i];
      }
    });
  }

  SpatialAttrs attrs_;
};

}  // namespace
INFERA_REGISTER_OP("MaxUnpool", MaxUnpoolKernel);
}  // namespace infera
