// Tile: repeats the input repeats[d] times along each dim d.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

template <typename Ctx>
Shape tiled_shape(const Ctx& ctx, const Shape& in, const std::vector<int64_t>& repeats) {
  if (repeats.size() != in.size())
    ctx.fail("repeats has " + std::to_string(repeats.size()) +
             " entries, expected one per dim of " + shape_to_string(in));
  Shape out(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    if (repeats[d] < 0) ctx.fail("repeats " + shape_to_string(repeats) + " has a negative entry");
    out[d] = in[d] * repeats[d];
  }
  return out;
}

class TileKernel final : public OpKernel {
 public:
  explicit TileKernel(const KernelInit& init) {
    if (init.opset() < 6) init.unsupported("Tile before opset 6 (tiles/axis inputs)");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!ctx.input(1).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), tiled_shape(ctx, x.shape(), read_int_list(ctx.input(1))));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = planned_or_allocated(ctx, 0, x.dtype(), [&] {
      return tiled_shape(ctx, x.shape(), read_int_list(ctx.input(1)));
    });
    const int rank = y.rank();
    check_move_rank(ctx, rank);
    if (y.numel() == 0) return;
    int64_t in_strides[kMaxMoveRank];
    row_major_strides(x.shape(), in_strides);
    dispatch_movable(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      // Output index per dim, and the matching input index (output index mod input dim).
      int64_t index[kMaxMoveRank] = {0}, source[kMaxMoveRank] = {0};
      int64_t offset = 0;
      for (int64_t i = 0, n = y.numel(); i < n; ++i) {
        out[i] = in[offset];
        for (int d = rank - 1; d >= 0; --d) {
          ++index[d];
          if (++source[d] == x.dim(d)) {
            source[d] = 0;
            offset -= in_strides[d] * (x.dim(d) - 1);
          } else {
            offset += in_strides[d];
          }
          // source[d] wrapped to 0 together with index[d], as y.dim(d) is a multiple of x.dim(d).
          if (index[d] < y.dim(d)) break;
          index[d] = 0;
        }
      }
    });
  }
};

}  // namespace
INFERA_REGISTER_OP("Tile", TileKernel);
}  // namespace infera
