// ReverseSequence: for each batch entry b, reverses the first sequence_lens[b] steps along the
// time axis and leaves the rest in place.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class ReverseSequenceKernel final : public OpKernel {
 public:
  explicit ReverseSequenceKernel(const KernelInit& init)
      : batch_axis_(init.attr_int("batch_axis", 1)), time_axis_(init.attr_int("time_axis", 0)) {
    if (batch_axis_ == time_axis_ || batch_axis_ < 0 || batch_axis_ > 1 || time_axis_ < 0 ||
        time_axis_ > 1)
      init.fail("batch_axis and time_axis must be 0 and 1 in some order");
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    if (x.rank() < 2) ctx.fail("input must have rank >= 2, got " + shape_to_string(x.shape()));
    if (lens.rank() != 1 || lens.dim(0) != x.dim(static_cast<int>(batch_axis_)))
      ctx.fail("sequence_lens shape " + shape_to_string(lens.shape()) +
               " must be [batch] for input shape " + shape_to_string(x.shape()));
    check_index_dtype(ctx, 1);
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& lens = ctx.input(1);
    Tensor& y = ctx.output(0);
    const int b_axis = static_cast<int>(batch_axis_), t_axis = static_cast<int>(time_axis_);
    const int64_t steps = x.dim(t_axis), batch = x.dim(b_axis);
    int64_t inner = 1;  // elements per (time, batch) pair
    for (int d = 2; d < x.rank(); ++d) inner *= x.dim(d);
    const int64_t t_stride = (t_axis == 0 ? batch : 1) * inner;
    const int64_t b_stride = (b_axis == 0 ? steps : 1) * inner;
    dispatch_movable(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t len = index_at(lens, b);
        if (len < 0 || len > steps)
          ctx.fail("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(len) +
                   " is outside [0, " + std::to_string(steps) + "]");
        for (int64_t t = 0; t < steps; ++t) {
          const int64_t from = t < len ? len - 1 - t : t;
          const T* src = in + b * b_stride + from * t_stride;
          T* dst = out + b * b_stride + t * t_stride;
          for (int64_t e = 0; e < inner; ++e) dst[e] = src[e];
        }
      }
    });
  }

 private:
  int64_t batch_axis_, time_axis_;
};

}  // namespace
INFERA_REGISTER_OP("ReverseSequence", ReverseSequenceKernel);
}  // namespace infera
