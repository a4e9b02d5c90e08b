// The generalized cosine windows HannWindow, HammingWindow and BlackmanWindow share:
//   w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N),  k in [0, size)
// with N = size when periodic (the default) and size - 1 when symmetric. The output has
// dtype output_datatype (float32 by default) and a shape read from the size input.
#pragma once

#include <cmath>
#include <numbers>

#include "ops/dispatch.h"
#include "ops/op_util.h"
#include "ops/signal_util.h"

namespace infera {

struct CosineWindowCoefficients {
  double a0, a1, a2;
};

class CosineWindowKernel : public OpKernel {
 public:
  CosineWindowKernel(const KernelInit& init, CosineWindowCoefficients coefficients)
      : coefficients_(coefficients),
        dtype_(static_cast<DType>(init.attr_int("output_datatype", 1))),
        periodic_(init.attr_int("periodic", 1) != 0) {
    if (!dtype_is_known(static_cast<int32_t>(dtype_)) || dtype_ == DType::kString) {
      init.fail("unsupported output_datatype " + std::to_string(static_cast<int32_t>(dtype_)));
    }
  }

  void infer(InferContext& ctx) const override {
    if (ctx.input(0).numel() != 1) {
      ctx.fail("size should be a scalar, got " + shape_to_string(ctx.input(0).shape()));
    }
    if (!ctx.input(0).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, dtype_, {window_size(ctx)});
  }

  void run(RunContext& ctx) const override {
    const int64_t size = window_size(ctx);
    Tensor& y = output_with_shape(ctx, 0, dtype_, {size});
    const double n = static_cast<double>(periodic_ ? size : size - 1);
    dispatch_numeric(dtype_, [&]<typename T>() {
      T* out = y.data<T>();
      for (int64_t k = 0; k < size; ++k) {
        const double angle = 2.0 * std::numbers::pi * static_cast<double>(k) / n;
        const double w = coefficients_.a0 - coefficients_.a1 * std::cos(angle) +
                         coefficients_.a2 * std::cos(2.0 * angle);
        out[k] = from_double<T>(w);
      }
    });
  }

 private:
  template <typename Ctx>
  int64_t window_size(const Ctx& ctx) const {
    const int64_t size = read_scalar_int(ctx.input(0));
    if (size < 0) ctx.fail("window size must not be negative, got " + std::to_string(size));
    return size;
  }

  CosineWindowCoefficients coefficients_;
  DType dtype_;
  bool periodic_;
};

}  // namespace infera
