// ConcatFromSequence: concatenates a sequence's tensors along an axis, or stacks them along a
// new axis when new_axis = 1.
#include <cstring>

#include "ops/sequence_util.h"

namespace infera {
namespace {

class ConcatFromSequenceKernel final : public OpKernel {
 public:
  explicit ConcatFromSequenceKernel(const KernelInit& init)
      : axis_(init.attr_int("axis")), new_axis_(init.attr_int("new_axis", 0) != 0) {}

  void infer(InferContext& ctx) const override { ctx.set_output_dynamic(0); }

  void run(RunContext& ctx) const override {
    const Value& seq = sequence_input(ctx, 0);
    if (seq.sequence.empty()) ctx.fail("cannot concatenate an empty sequence");
    const Tensor& first = seq.sequence[0];
    const int64_t out_rank = first.rank() + (new_axis_ ? 1 : 0);
    const int64_t axis = normalize_axis(axis_, out_rank);
    Shape out_shape = first.shape();
    if (new_axis_) {
      out_shape.insert(out_shape.begin() + axis, 0);
    } else {
      out_shape[static_cast<size_t>(axis)] = 0;  // summed over the elements below
    }
    for (const Tensor& t : seq.sequence) {
      for (int64_t d = 0; d < first.rank(); ++d) {
        const bool is_axis = !new_axis_ && d == axis;
        if (!is_axis && t.dim(static_cast<int>(d)) != first.dim(static_cast<int>(d)))
          ctx.fail("sequence elements " + shape_to_string(first.shape()) + " and " +
                   shape_to_string(t.shape()) + " cannot be concatenated on axis " +
                   std::to_string(axis));
      }
      out_shape[static_cast<size_t>(axis)] += new_axis_ ? 1 : t.dim(static_cast<int>(axis));
    }
    Tensor& out = ctx.allocate_output(0, first.dtype(), out_shape);
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= out_shape[static_cast<size_t>(d)];
    const size_t elem = dtype_size(first.dtype());
    const size_t out_row = static_cast<size_t>(out.numel() / std::max<int64_t>(outer, 1)) * elem;
    size_t offset = 0;
    for (const Tensor& t : seq.sequence) {
      const size_t row = static_cast<size_t>(t.numel() / std::max<int64_t>(outer, 1)) * elem;
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(static_cast<uint8_t*>(out.raw()) + static_cast<size_t>(o) * out_row + offset,
                    static_cast<const uint8_t*>(t.raw()) + static_cast<size_t>(o) * row, row);
      offset += row;
    }
  }

 private:
  int64_t axis_;
  bool new_axis_;
};

}  // namespace
INFERA_REGISTER_OP("ConcatFromSequence", ConcatFromSequenceKernel);
}  // namespace infera
