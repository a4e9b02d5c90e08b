// Bernoulli: y = 1 with probability x, else 0, element-wise, as `dtype` (default: x's dtype).
// A given seed makes every run draw the same numbers; without one each run draws afresh.
// The draws cannot match numpy's generator, so only the distribution is comparable.
#include <bit>
#include <random>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/op.h"

namespace infera {
namespace {

class BernoulliKernel final : public OpKernel {
 public:
  explicit BernoulliKernel(const KernelInit& init)
      : has_seed_(init.has_attr("seed")),
        seed_(init.attr_float("seed", 0.0f)),
        dtype_(static_cast<DType>(init.attr_int("dtype", 0))) {
    if (init.has_attr("dtype") &&
        (!dtype_is_known(static_cast<int32_t>(dtype_)) || dtype_ == DType::kString)) {
      init.fail("unsupported dtype " + std::to_string(static_cast<int32_t>(dtype_)));
    }
  }

  bool foldable() const override { return false; }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    ctx.set_output(0, dtype_ == DType::kUndefined ? x.dtype() : dtype_, x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    std::mt19937_64 engine(has_seed_ ? std::bit_cast<uint32_t>(seed_) : std::random_device{}());
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    dispatch_float(x.dtype(), [&]<typename P>() {
      const P* p = x.data<P>();
      dispatch_numeric_bool(y.dtype(), [&]<typename T>() {
        T* out = y.data<T>();
        for (int64_t i = 0, n = x.numel(); i < n; ++i) {
          const bool hit = uniform(engine) < static_cast<double>(p[i]);
          if constexpr (std::is_same_v<T, bool>) {
            out[i] = hit;
          } else {
            out[i] = T(hit ? 1.0f : 0.0f);
          }
        }
      });
    });
  }

 private:
  bool has_seed_;
  float seed_;
  DType dtype_;
};

}  // namespace
INFERA_REGISTER_OP("Bernoulli", BernoulliKernel);
}  // namespace infera
