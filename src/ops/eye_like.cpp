// EyeLike: a 2-D tensor shaped like the input with ones on diagonal k (k > 0 above the main one).
#include "ops/movement.h"

namespace infera {
namespace {

class EyeLikeKernel final : public OpKernel {
 public:
  explicit EyeLikeKernel(const KernelInit& init)
      : dtype_(static_cast<DType>(init.attr_int("dtype", 0))), k_(init.attr_int("k", 0)) {
    if (init.has_attr("dtype") && !dtype_is_known(static_cast<int32_t>(dtype_)))
      init.fail("unknown dtype " + std::to_string(init.attr_int("dtype")));
  }

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 2) ctx.fail("input must be 2-D, got " + shape_to_string(x.shape()));
    ctx.set_output(0, out_dtype(x), x.shape());
  }

  void run(RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t rows = y.dim(0), cols = y.dim(1);
    dispatch_numeric_bool(y.dtype(), [&]<typename T>() {
      T* out = y.data<T>();
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = T(j - i == k_ ? 1 : 0);
    });
  }

 private:
  DType out_dtype(const Tensor& x) const {
    return dtype_ == DType::kUndefined ? x.dtype() : dtype_;
  }

  DType dtype_;
  int64_t k_;
};

}  // namespace
INFERA_REGISTER_OP("EyeLike", EyeLikeKernel);
}  // namespace infera
