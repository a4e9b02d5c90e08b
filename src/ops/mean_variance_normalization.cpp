// MeanVarianceNormalization: y = (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9), the statistics
// taken over `axes` (default [0, 2, 3]), matching the ONNX function body.
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

constexpr int kMaxRank = 16;

// Splits X's dims into kept and reduced ones; flat indices over each map to element offsets.
struct AxisSplit {
  int kept_rank = 0, red_rank = 0;
  int64_t kept_extent[kMaxRank], kept_stride[kMaxRank];
  int64_t red_extent[kMaxRank], red_stride[kMaxRank];
  int64_t kept_count = 1, red_count = 1;

  static int64_t offset(int64_t i, int rank, const int64_t* extent, const int64_t* stride) {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; --d) {
      off += (i % extent[d]) * stride[d];
      i /= extent[d];
    }
    return off;
  }
  int64_t kept_offset(int64_t i) const { return offset(i, kept_rank, kept_extent, kept_stride); }
  int64_t red_offset(int64_t i) const { return offset(i, red_rank, red_extent, red_stride); }
};

class MeanVarianceNormalizationKernel final : public OpKernel {
 public:
  explicit MeanVarianceNormalizationKernel(const KernelInit& init)
      : axes_(init.attr_ints("axes", {0, 2, 3})) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() > kMaxRank) ctx.fail("X has rank above " + std::to_string(kMaxRank));
    for (int64_t a : axes_) normalize_axis(a, x.rank(), "axes entry");
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const AxisSplit s = split(x.shape());
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = ctx.output(0).data<T>();
      for (int64_t k = 0; k < s.kept_count; ++k) {
        const int64_t base = s.kept_offset(k);
        double sum = 0, sq = 0;
        for (int64_t r = 0; r < s.red_count; ++r) {
          const double v = static_cast<double>(in[base + s.red_offset(r)]);
          sum += v;
          sq += v * v;
        }
        const double n = static_cast<double>(s.red_count);
        const double mean = sum / n;
        const double var = std::max(0.0, sq / n - mean * mean);
        const double denom = std::sqrt(var) + 1e-9;
        for (int64_t r = 0; r < s.red_count; ++r) {
          const int64_t at = base + s.red_offset(r);
          out[at] = from_double<T>((static_cast<double>(in[at]) - mean) / denom);
        }
      }
    });
  }

 private:
  AxisSplit split(const Shape& shape) const {
    AxisSplit s;
    const int rank = static_cast<int>(shape.size());
    bool reduced[kMaxRank] = {};
    for (int64_t a : axes_) reduced[normalize_axis(a, rank)] = true;
    int64_t stride = 1;
    int64_t strides[kMaxRank];
    for (int d = rank - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= shape[d];
    }
    for (int d = 0; d < rank; ++d) {
      if (reduced[d]) {
        s.red_extent[s.red_rank] = shape[d];
        s.red_stride[s.red_rank++] = strides[d];
        s.red_count *= shape[d];
      } else {
        s.kept_extent[s.kept_rank] = shape[d];
        s.kept_stride[s.kept_rank++] = strides[d];
        s.kept_count *= shape[d];
      }
    }
    return s;
  }

  std::vector<int64_t> axes_;
};

}  // namespace
INFERA_REGISTER_OP("MeanVarianceNormalization", MeanVarianceNormalizationKernel);
}  // namespace infera
