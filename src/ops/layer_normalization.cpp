// LayerNormalization: each row (the dims from `axis` on) normalized by its mean and variance,
// then Y = normalized * Scale + B with Scale and B broadcast to the row shape. Optional outputs
// Mean and InvStdDev have the row dims set to 1 and the stash type (float32 by default).
#include <cmath>

#include "ops/accum.h"
#include "ops/dispatch.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace infera {
namespace {

constexpr int kMaxRank = 16;

// Element strides of a parameter broadcast onto the row dims [axis, rank) of X.
struct RowBroadcast {
  int dims = 0;
  int64_t extent[kMaxRank];
  int64_t stride[kMaxRank];
  int64_t offset(int64_t j) const {  // j: flat position within the row
    int64_t off = 0;
    for (int d = dims - 1; d >= 0; --d) {
      off += (j % extent[d]) * stride[d];
      j /= extent[d];
    }
    return off;
  }
};

RowBroadcast row_broadcast(const Shape& x, int64_t axis, const Shape& p) {
  RowBroadcast rb;
  rb.dims = static_cast<int>(x.size() - axis);
  int64_t s = 1;
  for (int d = rb.dims - 1; d >= 0; --d) {
    const int pd = d - (rb.dims - static_cast<int>(p.size()));
    rb.extent[d] = x[axis + d];
    const int64_t pe = pd >= 0 ? p[pd] : 1;
    rb.stride[d] = pe == 1 ? 0 : s;
    s *= pe;
  }
  return rb;
}

class LayerNormalizationKernel final : public OpKernel {
 public:
  explicit LayerNormalizationKernel(const KernelInit& init)
      : axis_(init.attr_int("axis", -1)),
        epsilon_(init.attr_float("epsilon", 1e-5f)),
        stash_float_(init.attr_int("stash_type", 1) == 1) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() > kMaxRank) ctx.fail("X has rank above " + std::to_string(kMaxRank));
    const int64_t axis = normalize_axis(axis_, x.rank());
    const Shape row(x.shape().begin() + axis, x.shape().end());
    for (int i = 1; i < 3 && ctx.has_input(i); ++i) {
      const Shape& p = ctx.input(i).shape();
      bool ok = p.size() <= row.size();
      for (size_t d = 0; ok && d < p.size(); ++d) {
        const int64_t r = row[row.size() - p.size() + d];
        ok = p[d] == r || p[d] == 1;
      }
      if (!ok)
        ctx.fail(std::string(i == 1 ? "Scale " : "B ") + shape_to_string(p) +
                 " does not broadcast to the normalized shape " + shape_to_string(row));
    }
    ctx.set_output(0, x.dtype(), x.shape());
    Shape stats = x.shape();
    for (size_t d = static_cast<size_t>(axis); d < stats.size(); ++d) stats[d] = 1;
    const DType u = stash_float_ ? DType::kFloat32 : x.dtype();
    for (int i = 1; i < 3; ++i)
      if (ctx.num_outputs() > i && ctx.has_output(i)) ctx.set_output(i, u, stats);
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t axis = normalize_axis(axis_, x.rank());
    int64_t rows = 1;
    for (int64_t d = 0; d < axis; ++d) rows *= x.dim(static_cast<int>(d));
    const int64_t cols = rows == 0 ? 0 : x.numel() / rows;
    const Tensor& scale = ctx.input(1);
    const Tensor* bias = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    const RowBroadcast sb = row_broadcast(x.shape(), axis, scale.shape());
    const RowBroadcast bb = bias ? row_broadcast(x.shape(), axis, bias->shape()) : sb;
    Tensor* mean_out = ctx.num_outputs() > 1 && ctx.has_output(1) ? &ctx.output(1) : nullptr;
    Tensor* inv_out = ctx.num_outputs() > 2 && ctx.has_output(2) ? &ctx.output(2) : nullptr;
    dispatch_float(x.dtype(), [&]<typename T>() {
      const T* s = scale.data<T>();
      const T* b = bias ? bias->data<T>() : nullptr;
      for (int64_t r = 0; r < rows; ++r) {
        const T* in = x.data<T>() + r * cols;
        T* out = ctx.output(0).data<T>() + r * cols;
        double sum = 0, sq = 0;
        for (int64_t j = 0; j < cols; ++j) sum += static_cast<double>(in[j]);
        const double mean = sum / static_cast<double>(cols);
        for (int64_t j = 0; j < cols; ++j) {
          const double d = static_cast<double>(in[j]) - mean;
          sq += d * d;
        }
        const double inv = 1.0 / std::sqrt(sq / static_cast<double>(cols) + epsilon_);
        for (int64_t j = 0; j < cols; ++j) {
          double v = (static_cast<double>(in[j]) - mean) * inv;
          v = v * static_cast<double>(s[sb.offset(j)]);
          if (b) v += static_cast<double>(b[bb.offset(j)]);
          out[j] = from_double<T>(v);
        }
        store(mean_out, r, mean);
        store(inv_out, r, inv);
      }
    });
  }

 private:
  static void store(Tensor* t, int64_t at, double v) {
    if (!t) return;
    dispatch_float(t->dtype(), [&]<typename U>() { t->data<U>()[at] = from_double<U>(v); });
  }

  int64_t axis_;
  float epsilon_;
  bool stash_float_;
};

}  // namespace
INFERA_REGISTER_OP("LayerNormalization", LayerNormalizationKernel);
}  // namespace infera
