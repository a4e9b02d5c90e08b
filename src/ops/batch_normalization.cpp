// BatchNormalization: y = scale * (x - mean) / sqrt(var + epsilon) + B per channel (axis 1).
//
// Inference uses the given mean and var. In training mode (training_mode = 1 since opset 14;
// before that, extra outputs without is_test) it normalizes with the batch statistics and also
// returns the running statistics, running = input * momentum + batch * (1 - momentum), with the
// population variance as the ONNX reference computes it.
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class BatchNormalizationKernel final : public OpKernel {
 public:
  explicit BatchNormalizationKernel(const KernelInit& init)
      : epsilon_(init.attr_float("epsilon", 1e-5f)), momentum_(init.attr_float("momentum", 0.9f)) {
    if (init.opset() >= 14) {
      training_ = init.attr_int("training_mode", 0) != 0;
    } else {
      training_ = init.num_outputs() > 1 && init.attr_int("is_test", 0) == 0;
    }
    if (init.attr_int("spatial", 1) == 0) init.unsupported("spatial = 0 is not supported");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail("X " + shape_to_string(x.shape()) + " needs rank 2 or more");
    const char* names[] = {"X", "scale", "B", "mean", "var"};
    for (int i = 1; i < 5; ++i) {
      if (ctx.input(i).numel() != x.dim(1))
        ctx.fail(std::string(names[i]) + " has " + std::to_string(ctx.input(i).numel()) +
                 " elements but X has " + std::to_string(x.dim(1)) + " channels");
    }
    ctx.set_output(0, x.dtype(), x.shape());
    for (int i = 1; i < ctx.num_outputs(); ++i) {
      if (!ctx.has_output(i)) continue;
      const Tensor& like = ctx.input(i <= 2 ? i + 2 : i);  // running stats typed as mean/var
      ctx.set_output(i, like.dtype(), Shape{x.dim(1)});
    }
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t n = x.dim(0), c = x.dim(1);
    const int64_t inner = n * c == 0 ? 0 : x.numel() / (n * c);
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t ch = 0; ch < c; ++ch) {
        double mean = read_scalar_double(ctx.input(3), ch);
        double var = read_scalar_double(ctx.input(4), ch);
        if (training_) {
          batch_stats(in, n, c, inner, ch, mean, var);
          store_stats(ctx, ch, mean, var);
        }
        const double k = read_scalar_double(ctx.input(1), ch) / std::sqrt(var + epsilon_);
        const double b = read_scalar_double(ctx.input(2), ch) - mean * k;
        for (int64_t i = 0; i < n; ++i) {
          const int64_t base = (i * c + ch) * inner;
          for (int64_t j = 0; j < inner; ++j)
            out[base + j] = from_double<T>(k * static_cast<double>(in[base + j]) + b);
        }
      }
    });
  }

 private:
  template <typename T>
  static void batch_stats(const T* in, int64_t n, int64_t c, int64_t inner, int64_t ch,
                          double& mean, double& var) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) sum += static_cast<double>(in[(i * c + ch) * inner + j]);
    const double count = static_cast<double>(n * inner);
    mean = count > 0 ? sum / count : 0.0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < inner; ++j) {
        const double d = static_cast<double>(in[(i * c + ch) * inner + j]) - mean;
        sq += d * d;
      }
    }
    var = count > 0 ? sq / count : 0.0;
  }

  // Outputs 1, 2: running mean and var; 3, 4 (before opset 14): the batch mean and var.
  void store_stats(RunContext& ctx, int64_t ch, double batch_mean, double batch_var) const {
    const double m = momentum_;
    const double values[] = {read_scalar_double(ctx.input(3), ch) * m + batch_mean * (1 - m),
                             read_scalar_double(ctx.input(4), ch) * m + batch_var * (1 - m),
                             batch_mean, batch_var};
    for (int i = 1; i < ctx.num_outputs() && i <= 4; ++i) {
      if (!ctx.has_output(i)) continue;
      Tensor& t = ctx.output(i);
      dispatch_float(t.dtype(),
                     [&]<typename U>() { t.data<U>()[ch] = from_double<U>(values[i - 1]); });
    }
  }

  float epsilon_;
  float momentum_;
  bool training_ = false;
};

}  // namespace
INFERA_REGISTER_OP("BatchNormalization", BatchNormalizationKernel);
}  // namespace infera
