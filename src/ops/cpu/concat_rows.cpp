// Fast Concat: the output is `outer` rows, each the inputs' blocks side by side (the fire
// modules of SqueezeNet join two NHWC convs' channels: 3,025 rows of 64 + 64 floats). Rows are
// split among threads and each block copied with memcpy; the reference copies every row on
// one thread, which on 2 threads cost SqueezeNet 12% of its run (its inputs come from convs
// that ran on both cores). Strings go to the reference.
#include <cstring>

#include "ops/cpu/simd_variant.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ConcatRowsKernel final : public SimdVariantKernel {
 public:
  explicit ConcatRowsKernel(const KernelInit& init)
      : SimdVariantKernel(init, "concat"),
        axis_(init.opset() < 4 ? init.attr_int("axis", 1) : init.attr_int("axis")) {}
  static bool applies(const KernelInit&) { return true; }
  std::string kernel_name() const override { return "concat_rows"; }

  void run(RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    if (y.dtype() == DType::kString || ctx.num_inputs() > kMaxInputs) return reference().run(ctx);
    const int axis = static_cast<int>(normalize_axis(axis_, y.rank(), "Concat axis"));
    int64_t outer = 1;
    for (int d = 0; d < axis; ++d) outer *= y.dim(d);
    const size_t elem = dtype_size(y.dtype());
    const size_t inner_bytes = static_cast<size_t>(y.numel() / std::max<int64_t>(outer, 1) /
                                                   std::max<int64_t>(y.dim(axis), 1)) *
                               elem;
    // Each input's block: its bytes per row and where they start in an output row.
    const char* in[kMaxInputs];
    size_t block_bytes[kMaxInputs], column[kMaxInputs];
    size_t row_bytes = 0;
    const int n = ctx.num_inputs();
    for (int i = 0; i < n; ++i) {
      const Tensor& x = ctx.input(i);
      in[i] = static_cast<const char*>(x.raw());
      block_bytes[i] = static_cast<size_t>(x.dim(axis)) * inner_bytes;
      column[i] = row_bytes;
      row_bytes += block_bytes[i];
    }
    if (y.numel() == 0) return;
    char* out = static_cast<char*>(y.raw());
    // Work per row counted in bytes, not elements: a copy is bound by memory, and the inputs
    // were just written by convs on every core.
    parallel_ranges(ctx.threads(), outer, static_cast<int64_t>(row_bytes),
                    [&](int64_t r0, int64_t r1) {
                      for (int64_t r = r0; r < r1; ++r)
                        for (int i = 0; i < n; ++i)
                          if (block_bytes[i] > 0)
                            std::memcpy(out + r * row_bytes + column[i], in[i] + r * block_bytes[i],
                                        block_bytes[i]);
                    });
  }

 private:
  static constexpr int kMaxInputs = 64;  // more inputs: the reference (no per-run allocation)
  int64_t axis_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Concat", 10, ConcatRowsKernel);
}  // namespace infera
