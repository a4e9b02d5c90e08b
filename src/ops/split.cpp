// Split: cuts the input along `axis` into the node's outputs, by the given sizes or into equal
// parts. Sizes are an attribute before opset 13 (or input 1 in opset 1) and input 1 since.
#include <algorithm>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class SplitKernel final : public OpKernel {
 public:
  explicit SplitKernel(const KernelInit& init)
      : axis_(init.attr_int("axis", 0)),
        attr_split_(init.attr_ints("split")),
        split_from_input_(init.opset() >= 13 || (init.opset() == 1 && init.has_input(1))),
        outputs_(init.num_outputs()) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (split_from_input_ && !inputs_known(ctx, {1})) {
      for (int i = 0; i < ctx.num_outputs(); ++i) ctx.set_output_dynamic(i);
      return;
    }
    const int64_t axis = normalize_axis(axis_, x.rank(), "Split axis");
    const std::vector<int64_t> sizes = part_sizes(ctx, x.dim(static_cast<int>(axis)));
    Shape shape = x.shape();
    for (int i = 0; i < outputs_; ++i) {
      if (!ctx.has_output(i)) continue;
      shape[axis] = sizes[i];
      ctx.set_output(i, x.dtype(), shape);
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int axis = static_cast<int>(normalize_axis(axis_, x.rank(), "Split axis"));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    const int64_t in_row = x.dim(axis) * inner;
    int64_t column = 0;  // where this part starts within each input row
    for (int i = 0; i < outputs_; ++i) {
      if (!ctx.has_output(i)) {  // an unused part still moves the cut
        column += part_sizes(ctx, x.dim(axis))[i] * inner;
        continue;
      }
      Tensor& y = planned_or_allocated(ctx, i, x.dtype(), [&] {
        Shape shape = x.shape();
        shape[axis] = part_sizes(ctx, x.dim(axis))[i];
        return shape;
      });
      const int64_t row = y.dim(axis) * inner;
      dispatch_movable(x.dtype(), [&]<typename T>() {
        const T* in = x.data<T>();
        T* out = y.data<T>();
        for (int64_t o = 0; o < outer; ++o)
          std::copy(in + o * in_row + column, in + o * in_row + column + row, out + o * row);
      });
      column += row;
    }
  }

 private:
  template <typename Ctx>
  std::vector<int64_t> part_sizes(const Ctx& ctx, int64_t dim) const {
    std::vector<int64_t> sizes = split_from_input_ ? optional_int_list(ctx, 1) : attr_split_;
    if (sizes.empty()) {
      // Equal parts; opset 18 lets the last one be smaller.
      const int64_t part = (dim + outputs_ - 1) / outputs_;
      for (int i = 0; i < outputs_; ++i)
        sizes.push_back(std::clamp<int64_t>(dim - part * i, 0, part));
    }
    int64_t total = 0;
    for (int64_t s : sizes) total += s < 0 ? dim + 1 : s;
    if (static_cast<int>(sizes.size()) != outputs_ || total != dim)
      ctx.fail("split sizes " + shape_to_string(sizes) + " do not cut a dim of " +
               std::to_string(dim) + " into " + std::to_string(outputs_) + " parts");
    return sizes;
  }

  int64_t axis_;
  std::vector<int64_t> attr_split_;
  bool split_from_input_;
  int outputs_;
};

}  // namespace
INFERA_REGISTER_OP("Split", SplitKernel);
}  // namespace infera
