// Dropout: the identity at inference, with an all-true mask. In training mode (opset 12+
// training_mode input) each element is kept with probability 1 - ratio and scaled by
// 1 / (1 - ratio). The draw follows numpy's legacy generator (np.random.seed(seed), then
// np.random.uniform per element), so a given seed reproduces the reference outputs exactly.
#include <random>

#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

// Mersenne Twister MT19937 seeded like numpy's RandomState.seed(int), drawing doubles like
// RandomState.random_sample (53 bits from two 32-bit words).
class NumpyLegacyRandom {
 public:
  explicit NumpyLegacyRandom(uint32_t seed) {
    state_[0] = seed;
    for (int i = 1; i < kN; ++i)
      state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + static_cast<uint32_t>(i);
  }
  double uniform() {
    const uint32_t a = next() >> 5, b = next() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

 private:
  static constexpr int kN = 624, kM = 397;
  uint32_t next() {
    if (pos_ == kN) regenerate();
    uint32_t y = state_[pos_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }
  void regenerate() {
    for (int i = 0; i < kN; ++i) {
      const uint32_t y = (state_[i] & 0x80000000u) | (state_[(i + 1) % kN] & 0x7fffffffu);
      state_[i] = state_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    pos_ = 0;
  }
  uint32_t state_[kN];
  int pos_ = kN;
};

class DropoutKernel final : public OpKernel {
 public:
  explicit DropoutKernel(const KernelInit& init)
      : ratio_(init.attr_float("ratio", 0.5f)),
        ratio_from_input_(init.opset() >= 12),
        mask_is_bool_(init.opset() >= 10),
        may_train_(init.opset() >= 12 && init.has_input(2)),
        has_seed_(init.has_attr("seed")),
        seed_(init.attr_int("seed", 0)) {}

  bool foldable() const override { return !may_train_; }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    ctx.set_output(0, x.dtype(), x.shape());
    if (ctx.has_output(1)) ctx.set_output(1, mask_is_bool_ ? DType::kBool : x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const float ratio =
        ratio_from_input_ && ctx.has_input(1) ? float(read_scalar_double(ctx.input(1))) : ratio_;
    const bool training = may_train_ && read_scalar_int(ctx.input(2)) != 0;
    if (!training || ratio == 0.0f) {
      copy_unless_aliased(x, ctx.output(0));
      if (ctx.has_output(1)) fill_ones(ctx.output(1));
      return;
    }
    if (ratio < 0.0f || ratio >= 1.0f)
      ctx.fail("ratio must be in [0, 1) in training mode, got " + std::to_string(ratio));
    NumpyLegacyRandom random(has_seed_ ? static_cast<uint32_t>(seed_) : std::random_device{}());
    const float scale = 1.0f / (1.0f - ratio);
    Tensor& y = ctx.output(0);
    Tensor* mask = ctx.has_output(1) ? &ctx.output(1) : nullptr;
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t i = 0, n = x.numel(); i < n; ++i) {
        const bool keep = random.uniform() >= ratio;
        out[i] = keep ? T(float(in[i]) * scale) : T(0.0f);
        if (mask) set_mask(*mask, i, keep);
      }
    });
  }

 private:
  static void fill_ones(Tensor& mask) {
    for (int64_t i = 0, n = mask.numel(); i < n; ++i) set_mask(mask, i, true);
  }
  static void set_mask(Tensor& mask, int64_t i, bool keep) {
    dispatch_numeric_bool(mask.dtype(), [&]<typename M>() { mask.data<M>()[i] = M(keep ? 1 : 0); });
  }

  float ratio_;
  bool ratio_from_input_;
  bool mask_is_bool_;
  bool may_train_;
  bool has_seed_;
  int64_t seed_;
};

}  // namespace
INFERA_REGISTER_OP("Dropout", DropoutKernel);
}  // namespace infera
