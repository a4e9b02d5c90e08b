// Fast float32 activations and Exp: one vector loop per op from the SimdKernels table,
// split over threads in chunks. Other dtypes go to the reference kernels.
#include <limits>

#include "ops/cpu/simd_variant.h"

namespace infera {
namespace {

using simd::UnaryOp;
using simd::UnaryParams;

// Transcendental ops cost several times a plain max; weighs the parallel threshold.
constexpr int64_t cost_of(UnaryOp op) {
  return op == UnaryOp::kRelu || op == UnaryOp::kClip || op == UnaryOp::kLeakyRelu ||
                 op == UnaryOp::kHardSwish || op == UnaryOp::kHardSigmoid
             ? 1
             : 8;
}

template <UnaryOp kOp>
class UnaryF32SimdKernel final : public SimdVariantKernel {
 public:
  explicit UnaryF32SimdKernel(const KernelInit& init)
      : SimdVariantKernel(init, name()), params_(attribute_params(init)),
        clip_bounds_from_inputs_(kOp == UnaryOp::kClip && init.opset() >= 11) {}
  static bool applies(const KernelInit&) { return true; }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::kFloat32) return reference().run(ctx);
    UnaryParams p = params_;
    if (clip_bounds_from_inputs_) {
      if (ctx.has_input(1)) p.alpha = ctx.input(1).data<float>()[0];
      if (ctx.has_input(2)) p.beta = ctx.input(2).data<float>()[0];
    }
    const float* in = x.data<float>();
    float* out = ctx.output(0).data<float>();
    const simd::UnaryFn fn = simd::simd_kernels().unary[static_cast<int>(kOp)];
    parallel_chunks(ctx.threads(), x.numel(), cost_of(kOp),
                    [&](int64_t begin, int64_t end) { fn(in + begin, out + begin, end - begin, p); });
  }

 private:
  static const char* name() {
    switch (kOp) {
      case UnaryOp::kRelu: return "relu";
      case UnaryOp::kClip: return "clip";
      case UnaryOp::kSigmoid: return "sigmoid";
      case UnaryOp::kTanh: return "tanh";
      case UnaryOp::kErf: return "erf";
      case UnaryOp::kExp: return "exp";
      case UnaryOp::kHardSwish: return "hardswish";
      case UnaryOp::kHardSigmoid: return "hardsigmoid";
      case UnaryOp::kLeakyRelu: return "leakyrelu";
      default: return "unary";
    }
  }

  static UnaryParams attribute_params(const KernelInit& init) {
    UnaryParams p;
    if constexpr (kOp == UnaryOp::kClip) {
      // Open bounds; before opset 11 they are attributes.
      p.alpha = init.attr_float("min", std::numeric_limits<float>::lowest());
      p.beta = init.attr_float("max", std::numeric_limits<float>::max());
      if (init.opset() >= 11) {
        p.alpha = std::numeric_limits<float>::lowest();
        p.beta = std::numeric_limits<float>::max();
      }
    } else if constexpr (kOp == UnaryOp::kHardSigmoid) {
      p.alpha = init.attr_float("alpha", 0.2f);
      p.beta = init.attr_float("beta", 0.5f);
    } else if constexpr (kOp == UnaryOp::kLeakyRelu) {
      p.alpha = init.attr_float("alpha", 0.01f);
    }
    return p;
  }

  UnaryParams params_;
  bool clip_bounds_from_inputs_;
};

}  // namespace
INFERA_REGISTER_VARIANT("Relu", 10, UnaryF32SimdKernel<UnaryOp::kRelu>);
INFERA_REGISTER_VARIANT("Clip", 10, UnaryF32SimdKernel<UnaryOp::kClip>);
INFERA_REGISTER_VARIANT("Sigmoid", 10, UnaryF32SimdKernel<UnaryOp::kSigmoid>);
INFERA_REGISTER_VARIANT("Tanh", 10, UnaryF32SimdKernel<UnaryOp::kTanh>);
INFERA_REGISTER_VARIANT("Erf", 10, UnaryF32SimdKernel<UnaryOp::kErf>);
INFERA_REGISTER_VARIANT("Exp", 10, UnaryF32SimdKernel<UnaryOp::kExp>);
INFERA_REGISTER_VARIANT("HardSwish", 10, UnaryF32SimdKernel<UnaryOp::kHardSwish>);
INFERA_REGISTER_VARIANT("HardSigmoid", 10, UnaryF32SimdKernel<UnaryOp::kHardSigmoid>);
INFERA_REGISTER_VARIANT("LeakyRelu", 10, UnaryF32SimdKernel<UnaryOp::kLeakyRelu>);
}  // namespace infera
