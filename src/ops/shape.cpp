// Shape: the input's dims as int64, optionally the [start, end) window of them (opset 15).
#include <algorithm>

#include "ops/movement.h"

namespace infera {
namespace {

class ShapeKernel final : public OpKernel {
 public:
  explicit ShapeKernel(const KernelInit& init)
      : start_(init.attr_int("start", 0)), end_(init.attr_int("end", INT64_MAX)) {}

  void infer(InferContext& ctx) const override {
    const Shape& shape = ctx.input(0).shape();
    const int64_t rank = static_cast<int64_t>(shape.size());
    const int64_t begin = clamp_index(start_, rank);
    const int64_t end = std::max(begin, clamp_index(end_, rank));
    Tensor dims = Tensor::empty(DType::kInt64, {end - begin});
    std::copy(shape.begin() + begin, shape.begin() + end, dims.data<int64_t>());
    ctx.set_output_constant(0, std::move(dims));
  }
  void run(RunContext& ctx) const override {
    const Shape& shape = ctx.input(0).shape();
    Tensor& y = ctx.output(0);
    const int64_t begin = clamp_index(start_, static_cast<int64_t>(shape.size()));
    for (int64_t i = 0; i < y.numel(); ++i) y.data<int64_t>()[i] = shape[begin + i];
  }

 private:
  // Out-of-range start/end clamp rather than fail, as the spec asks.
  static int64_t clamp_index(int64_t i, int64_t rank) {
    if (i < 0) i += rank;
    return std::clamp<int64_t>(i, 0, rank);
  }
  int64_t start_, end_;
};

}  // namespace
INFERA_REGISTER_OP("Shape", ShapeKernel);
}  // namespace infera
