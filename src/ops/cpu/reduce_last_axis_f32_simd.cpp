// Fast float32 ReduceSum, ReduceMean and ReduceMax over the last axis alone, with the axes
// known at load (attribute, or a constant input from opset 13/18). Each output is one row's
// reduction; rows are split over threads, never a row, so the sum order is fixed.
#include <vector>

#include "ops/cpu/simd_variant.h"

namespace infera {
namespace {

enum class LastAxisReduce { kSum, kMean, kMax };

template <LastAxisReduce kKind, int kAxesInputSince>
class ReduceLastAxisF32SimdKernel final : public SimdVariantKernel {
 public:
  explicit ReduceLastAxisF32SimdKernel(const KernelInit& init)
      : SimdVariantKernel(init, name()), axes_(load_axes(init)) {}
  // Only a single axis known at load; the rest (all axes, data-dependent axes) to the reference.
  static bool applies(const KernelInit& init) { return load_axes(init).size() == 1; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t rank = x.rank();
    const int64_t axis = axes_[0] < 0 ? axes_[0] + rank : axes_[0];
    if (x.dtype() != DType::kFloat32 || rank == 0 || axis != rank - 1 || x.dim(int(axis)) == 0)
      return reference().run(ctx);
    const int64_t n = x.dim(static_cast<int>(axis));
    const int64_t rows = x.numel() / n;
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const simd::SimdKernels& k = simd::simd_kernels();
    const auto row_fn = kKind == LastAxisReduce::kMax ? k.max_row : k.sum_row;
    parallel_ranges(ctx.threads(), rows, n, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const float v = row_fn(in + r * n, n);
        out[r] = kKind == LastAxisReduce::kMean ? v / static_cast<float>(n) : v;
      }
    });
  }

 private:
  static const char* name() {
    return kKind == LastAxisReduce::kSum ? "reducesum" : kKind == LastAxisReduce::kMean ? "reducemean" : "reducemax";
  }
  static std::vector<int64_t> load_axes(const KernelInit& init) {
    if (init.opset() < kAxesInputSince) return init.attr_ints("axes");
    const Tensor* t = init.constant_input(1);
    if (!t || t->dtype() != DType::kInt64) return {};
    return std::vector<int64_t>(t->data<int64_t>(), t->data<int64_t>() + t->numel());
  }
  std::vector<int64_t> axes_;
};

using ReduceSumF32SimdKernel = ReduceLastAxisF32SimdKernel<LastAxisReduce::kSum, 13>;
using ReduceMeanF32SimdKernel = ReduceLastAxisF32SimdKernel<LastAxisReduce::kMean, 18>;
using ReduceMaxF32SimdKernel = ReduceLastAxisF32SimdKernel<LastAxisReduce::kMax, 18>;

}  // namespace
INFERA_REGISTER_VARIANT("ReduceSum", 10, ReduceSumF32SimdKernel);
INFERA_REGISTER_VARIANT("ReduceMean", 10, ReduceMeanF32SimdKernel);
INFERA_REGISTER_VARIANT("ReduceMax", 10, ReduceMaxF32SimdKernel);
}  // namespace infera
