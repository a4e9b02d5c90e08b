// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of each matrix in the last
// two dims and zeroes the rest.
#include "ops/movement.h"
#include "ops/op_util.h"

namespace infera {
namespace {

class TriluKernel final : public OpKernel {
 public:
  explicit TriluKernel(const KernelInit& init) : upper_(init.attr_int("upper", 1) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2) ctx.fail("input must have rank >= 2, got " + shape_to_string(x.shape()));
    ctx.set_output(0, x.dtype(), x.shape());
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t k = ctx.has_input(1) ? read_scalar_int(ctx.input(1)) : 0;
    const int64_t rows = x.dim(x.rank() - 2), cols = x.dim(x.rank() - 1);
    const int64_t matrix = rows * cols;
    const int64_t count = matrix == 0 ? 0 : x.numel() / matrix;
    dispatch_movable(x.dtype(), [&]<typename T>() {
      const T* in = x.data<T>();
      T* out = y.data<T>();
      for (int64_t m = 0; m < count; ++m) {
        for (int64_t i = 0; i < rows; ++i) {
          for (int64_t j = 0; j < cols; ++j) {
            const int64_t at = m * matrix + i * cols + j;
            const bool keep = upper_ ? j - i >= k : j - i <= k;
            out[at] = keep ? in[at] : T{};
          }
        }
      }
    });
  }

 private:
  bool upper_;
};

}  // namespace
INFERA_REGISTER_OP("Trilu", TriluKernel);
}  // namespace infera
