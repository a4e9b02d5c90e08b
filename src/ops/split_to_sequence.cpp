// SplitToSequence: splits a tensor along an axis into a sequence, in equal chunks of `split`
// (scalar), in the given lengths (1-D), or into single slices (no split: keepdims decides
// whether the split axis stays as size 1).
#include <cstring>

#include "ops/sequence_util.h"

namespace infera {
namespace {

class SplitToSequenceKernel final : public OpKernel {
 public:
  explicit SplitToSequenceKernel(const KernelInit& init)
      : axis_(init.attr_int("axis", 0)), keepdims_(init.attr_int("keepdims", 1) != 0) {}

  void infer(InferContext& ctx) const override { outputs_are_values(ctx); }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, x.rank());
    const int64_t extent = x.dim(static_cast<int>(axis));
    std::vector<int64_t> lengths;
    bool drop_axis = false;
    if (!ctx.has_input(1)) {
      lengths.assign(static_cast<size_t>(extent), 1);
      drop_axis = !keepdims_;
    } else if (ctx.input(1).rank() == 0) {
      const int64_t chunk = read_scalar_int(ctx.input(1));
      if (chunk <= 0) ctx.fail("split must be positive, got " + std::to_string(chunk));
      for (int64_t done = 0; done < extent; done += chunk) lengths.push_back(std::min(chunk, extent - done));
    } else {
      lengths = read_int_list(ctx.input(1));
      int64_t total = 0;
      for (int64_t l : lengths) total += l;
      if (total != extent)
        ctx.fail("split lengths sum to " + std::to_string(total) + " but axis " +
                 std::to_string(axis) + " has " + std::to_string(extent));
    }
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= x.dim(static_cast<int>(d));
    for (int64_t d = axis + 1; d < x.rank(); ++d) inner *= x.dim(static_cast<int>(d));
    const size_t elem = dtype_size(x.dtype());
    std::vector<Tensor> items;
    int64_t start = 0;
    for (int64_t len : lengths) {
      Shape shape = x.shape();
      shape[static_cast<size_t>(axis)] = len;
      if (drop_axis) shape.erase(shape.begin() + axis);
      Tensor part = Tensor::empty(x.dtype(), shape);
      for (int64_t o = 0; o < outer; ++o) {
        const auto* src = static_cast<const uint8_t*>(x.raw()) + ((o * extent + start) * inner) * elem;
        auto* dst = static_cast<uint8_t*>(part.raw()) + (o * len * inner) * elem;
        std::memcpy(dst, src, static_cast<size_t>(len * inner) * elem);
      }
      items.push_back(std::move(part));
      start += len;
    }
    ctx.set_output_value(0, Value::make_sequence(std::move(items), x.dtype()));
  }

 private:
  int64_t axis_;
  bool keepdims_;
};

}  // namespace
INFERA_REGISTER_OP("SplitToSequence", SplitToSequenceKernel);
}  // namespace infera
