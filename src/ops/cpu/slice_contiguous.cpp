// Fast Slice for unit steps: once the trailing dims that are kept whole are merged, the window
// is a set of contiguous runs (the Q/K/V split of a fused projection is 128 runs of 256
// floats), each copied with memcpy instead of element by element. Negative or non-unit steps
// and strings go to the reference.
#include <cstring>

#include "ops/cpu/simd_variant.h"
#include "ops/slice_plan.h"

namespace infera {
namespace {

class SliceContiguousKernel final : public SimdVariantKernel {
 public:
  explicit SliceContiguousKernel(const KernelInit& init)
      : SimdVariantKernel(init, "slice"),
        from_attrs_(init.opset() < 10),
        starts_(init.attr_ints("starts")),
        ends_(init.attr_ints("ends")),
        axes_(init.attr_ints("axes")) {}
  static bool applies(const KernelInit&) { return true; }
  std::string kernel_name() const override { return "slice_contiguous"; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = x.rank();
    if (x.dtype() == DType::kString || rank > kMaxMoveRank) return reference().run(ctx);
    int64_t lists[4][kMaxMoveRank];
    int sizes[4] = {0, 0, 0, 0};
    if (!from_attrs_)
      for (int i = 0; i < 4; ++i) sizes[i] = read_small_int_list(ctx, i + 1, lists[i]);
    const SliceArgs args = from_attrs_ ? SliceArgs{list(starts_), list(ends_), list(axes_), {}}
                                       : SliceArgs{{lists[0], sizes[0]},
                                                   {lists[1], sizes[1]},
                                                   {lists[2], sizes[2]},
                                                   {lists[3], sizes[3]}};
    SlicePlan plan;
    if (!plan_slice(x.shape(), args, plan).empty()) return reference().run(ctx);
    for (int d = 0; d < rank; ++d)
      if (plan.step[d] != 1) return reference().run(ctx);
    Tensor& y = ctx.output(0);
    if (y.numel() == 0) return;
    copy_runs(x, plan, static_cast<char*>(y.raw()));
  }

 private:
  // Copies the window as runs over the innermost dim that is cut, with everything after it.
  static void copy_runs(const Tensor& x, const SlicePlan& plan, char* out) {
    const int rank = x.rank();
    const size_t elem = dtype_size(x.dtype());
    int64_t strides[kMaxMoveRank];
    row_major_strides(x.shape(), strides);
    int cut = -1;  // the innermost dim not kept whole
    for (int d = rank - 1; d >= 0; --d)
      if (plan.count[d] != x.dim(d)) {
        cut = d;
        break;
      }
    if (cut < 0) {
      std::memcpy(out, x.raw(), x.nbytes());
      return;
    }
    const size_t run_bytes = static_cast<size_t>(plan.count[cut] * strides[cut]) * elem;
    const char* in = static_cast<const char*>(x.raw());
    int64_t index[kMaxMoveRank] = {0};
    int64_t runs = 1;
    for (int d = 0; d < cut; ++d) runs *= plan.count[d];
    for (int64_t r = 0; r < runs; ++r) {
      int64_t offset = plan.start[cut] * strides[cut];
      for (int d = 0; d < cut; ++d) offset += (plan.start[d] + index[d]) * strides[d];
      std::memcpy(out, in + offset * static_cast<int64_t>(elem), run_bytes);
      out += run_bytes;
      for (int d = cut - 1; d >= 0; --d) {  // odometer over the outer dims
        if (++index[d] < plan.count[d]) break;
        index[d] = 0;
      }
    }
  }

  static IntList list(const std::vector<int64_t>& v) {
    return {v.data(), static_cast<int>(v.size())};
  }

  bool from_attrs_;
  std::vector<int64_t> starts_, ends_, axes_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Slice", 10, SliceContiguousKernel);
}  // namespace infera
