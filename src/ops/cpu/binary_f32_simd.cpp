// Fast float32 Add, Sub, Mul, Div for the broadcasts a network uses: the output is walked as
// rows of its last collapsed dim (broadcast_plan.h), each row one vector loop from the
// SimdKernels table; rows are cut into chunks so one long row also spreads over threads.
#include "ops/cpu/broadcast_plan.h"
#include "ops/cpu/simd_variant.h"

namespace infera {
namespace {

using simd::BinaryMode;
using simd::BinaryOp;

template <BinaryOp kOp>
class BinaryF32SimdKernel final : public SimdVariantKernel {
 public:
  explicit BinaryF32SimdKernel(const KernelInit& init) : SimdVariantKernel(init, name()) {}
  // Before opset 7, broadcasting follows the legacy `broadcast`/`axis` attributes.
  static bool applies(const KernelInit& init) { return init.opset() >= 7; }

  void run(RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    BinaryBroadcastPlan plan;
    if (a.dtype() != DType::kFloat32 || b.dtype() != DType::kFloat32 || y.numel() == 0 ||
        !plan_binary_broadcast(a.shape(), b.shape(), y.shape(), plan))
      return reference().run(ctx);
    const BinaryMode mode = plan.stride_b[2] == 0   ? BinaryMode::kVectorScalar
                            : plan.stride_a[2] == 0 ? BinaryMode::kScalarVector
                                                    : BinaryMode::kVectorVector;
    const simd::BinaryFn fn =
        simd::simd_kernels().binary[static_cast<int>(kOp)][static_cast<int>(mode)];
    // A work item is a piece of one long row, or a run of whole short rows (one
    // extent[0] index at a time, so a run steps through memory with one stride).
    const int64_t n = plan.extent[2];
    constexpr int64_t kChunk = 4096;
    const int64_t chunks_per_row = (n + kChunk - 1) / kChunk;
    const int64_t rows_per_item = std::max<int64_t>(1, kChunk / n);
    const int64_t items_per_outer = (plan.extent[1] + rows_per_item - 1) / rows_per_item;
    const int64_t items = n >= kChunk ? plan.extent[0] * plan.extent[1] * chunks_per_row
                                      : plan.extent[0] * items_per_outer;
    const int64_t work = std::min(n * rows_per_item, kChunk) * (kOp == BinaryOp::kDiv ? 4 : 1);
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    float* py = y.data<float>();
    parallel_ranges(ctx.threads(), items, work, [&](int64_t i0, int64_t i1) {
      for (int64_t item = i0; item < i1; ++item) {
        int64_t r0, r1, begin, rows, length;
        if (n >= kChunk) {
          const int64_t row = item / chunks_per_row;
          r0 = row / plan.extent[1], r1 = row % plan.extent[1];
          begin = (item % chunks_per_row) * kChunk;
          rows = 1, length = std::min(kChunk, n - begin);
        } else {
          r0 = item / items_per_outer, r1 = (item % items_per_outer) * rows_per_item;
          begin = 0;
          rows = std::min(rows_per_item, plan.extent[1] - r1), length = n;
        }
        const int64_t off_a = r0 * plan.stride_a[0] + r1 * plan.stride_a[1] + begin * plan.stride_a[2];
        const int64_t off_b = r0 * plan.stride_b[0] + r1 * plan.stride_b[1] + begin * plan.stride_b[2];
        fn(pa + off_a, plan.stride_a[1], pb + off_b, plan.stride_b[1],
           py + (r0 * plan.extent[1] + r1) * n + begin, rows, length);
      }
    });
  }

 private:
  static const char* name() {
    switch (kOp) {
      case BinaryOp::kAdd: return "add";
      case BinaryOp::kSub: return "sub";
      case BinaryOp::kMul: return "mul";
      default: return "div";
    }
  }
};

}  // namespace
INFERA_REGISTER_VARIANT("Add", 10, BinaryF32SimdKernel<BinaryOp::kAdd>);
INFERA_REGISTER_VARIANT("Sub", 10, BinaryF32SimdKernel<BinaryOp::kSub>);
INFERA_REGISTER_VARIANT("Mul", 10, BinaryF32SimdKernel<BinaryOp::kMul>);
INFERA_REGISTER_VARIANT("Div", 10, BinaryF32SimdKernel<BinaryOp::kDiv>);
}  // namespace infera
