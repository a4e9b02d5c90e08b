// InstanceNormalization: each [n, c] plane normalized by its own mean and variance, then
// scaled and shifted per channel.
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class InstanceNormalizationKernel final : public OpKernel {
 public:
  explicit InstanceNormalizationKernel(const KernelInit& init)
      : epsilon_(init.attr_float("epsilon", 1e-5f)) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 3) ctx.fail("input " + shape_to_string(x.shape()) + " needs rank 3 or more");
    for (int i = 1; i < 3; ++i) {
      if (ctx.input(i).numel() != x.dim(1))
        ctx.fail(std::string(i == 1 ? "scale" : "B") + " has " +
                 std::to_string(ctx.input(i).numel()) + " elements but input has " +
                 std::to_string(x.dim(1)) + " channels");
    }
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t c = x.dim(1), planes = x.dim(0) * c;
    const int64_t size = planes == 0 ? 0 : x.numel() / planes;
    dispatch_float(x.dtype(), [&]<typename T>() {
      for (int64_t p = 0; p < planes; ++p) {
        const T* in = x.data<T>() + p * size;
        T* out = ctx.output(0).data<T>() + p * size;
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < size; ++i) sum += static_cast<double>(in[i]);
        const double mean = sum / static_cast<double>(size);
        for (int64_t i = 0; i < size; ++i) {
          const double d = static_cast<double>(in[i]) - mean;
          sq += d * d;
        }
        const double var = sq / static_cast<double>(size);
        const double k = read_scalar_double(ctx.input(1), p % c) / std::sqrt(var + epsilon_);
        const double b = read_scalar_double(ctx.input(2), p % c);
        for (int64_t i = 0; i < size; ++i)
          out[i] = from_double<T>((static_cast<double>(in[i]) - mean) * k + b);
      }
    });
  }

 private:
  float epsilon_;
};

}  // namespace
INFERA_REGISTER_OP("InstanceNormalization", InstanceNormalizationKernel);
}  // namespace infera
