// LRN: local response normalization across channels,
// y = x / (bias + alpha / size * sum of x^2 over a window of `size` channels) ^ beta.
#include <algorithm>
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

class LrnKernel final : public OpKernel {
 public:
  explicit LrnKernel(const KernelInit& init)
      : alpha_(init.attr_float("alpha", 1e-4f)),
        beta_(init.attr_float("beta", 0.75f)),
        bias_(init.attr_float("bias", 1.0f)),
        size_(init.attr_int("size")) {
    if (size_ < 1) init.fail("size " + std::to_string(size_) + " must be positive");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail("X " + shape_to_string(x.shape()) + " needs rank 2 or more");
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t n = x.dim(0), c = x.dim(1);
    const int64_t inner = n * c == 0 ? 0 : x.numel() / (n * c);
    // The window is [ch - floor((size-1)/2), ch + ceil((size-1)/2)], clipped to the channels.
    const int64_t before = (size_ - 1) / 2, after = size_ - 1 - before;
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t ch = 0; ch < c; ++ch) {
          const int64_t lo = std::max<int64_t>(0, ch - before);
          const int64_t hi = std::min<int64_t>(c - 1, ch + after);
          for (int64_t j = 0; j < inner; ++j) {
            double sq = 0;
            for (int64_t k = lo; k <= hi; ++k) {
              const double v = static_cast<double>(in[(b * c + k) * inner + j]);
              sq += v * v;
            }
            const int64_t at = (b * c + ch) * inner + j;
            const double scale = std::pow(bias_ + alpha_ / static_cast<double>(size_) * sq, beta_);
            out[at] = from_double<T>(static_cast<double>(in[at]) / scale);
          }
        }
      }
    });
  }

 private:
  double alpha_, beta_, bias_;
  int64_t size_;
};

}  // namespace
INFERA_REGISTER_OP("LRN", LrnKernel);
}  // namespace infera
