// Pow: z = x ^ y with numpy broadcasting. From opset 12 the exponent may have another numeric
// dtype than the base; the result has the base's dtype, like numpy.power(x, y).astype(x.dtype).
#include <cmath>
#include <span>
#include <string>
#include <type_traits>

#include "ops/binary_elementwise.h"

namespace infera {
namespace {

// Exact integer power by squaring, wrapping on overflow as numpy does. A negative exponent has
// no integer result; numpy raises, here it goes through floating point (and truncates).
template <typename B, typename E>
B integer_pow(B base, E exponent) {
  if constexpr (std::is_signed_v<E>) {
    if (exponent < 0) return static_cast<B>(std::pow(double(base), double(exponent)));
  }
  B result = 1;
  while (exponent > 0) {
    if (exponent & 1) result = wrapping(result, base, [](auto a, auto b) { return a * b; });
    base = wrapping(base, base, [](auto a, auto b) { return a * b; });
    exponent = static_cast<E>(exponent >> 1);
  }
  return result;
}

template <typename B, typename E>
B power(B base, E exponent) {
  if constexpr (std::is_integral_v<B> && std::is_integral_v<E>) {
    return integer_pow(base, exponent);
  } else {
    const double z = std::pow(static_cast<double>(base), static_cast<double>(exponent));
    if constexpr (std::is_integral_v<B>) {
      // Casting an out-of-range or NaN double to an integer is undefined in C++.
      if (!(z >= -9.2e18 && z <= 9.2e18)) return B(0);
      return static_cast<B>(static_cast<int64_t>(z));
    } else {
      return static_cast<B>(z);
    }
  }
}

class PowKernel final : public OpKernel {
 public:
  explicit PowKernel(const KernelInit& init) : legacy_(init), mixed_(init.opset() >= 12) {}

  void infer(InferContext& ctx) const override {
    check_family(ctx, 0, TypeFamily::kNumeric);
    check_family(ctx, 1, TypeFamily::kNumeric);
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    if (!mixed_ && x.dtype() != y.dtype()) {
      ctx.fail(std::string("before opset 12 base and exponent must share a dtype, got ") +
               dtype_name(x.dtype()) + " and " + dtype_name(y.dtype()));
    }
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> y_dims = legacy_.align_b(x.shape(), y.shape(), buf);
    Shape out;
    try {
      out = broadcast_shapes(x.shape(), Shape(y_dims.begin(), y_dims.end()));
    } catch (const Error& e) {
      ctx.fail(e.what());
    }
    ctx.set_output(0, x.dtype(), std::move(out));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& y = ctx.input(1);
    Tensor& z = ctx.output(0);
    int64_t buf[kMaxBroadcastRank];
    const std::span<const int64_t> ins[2] = {x.shape(), legacy_.align_b(x.shape(), y.shape(), buf)};
    dispatch_numeric(x.dtype(), [&]<typename T>() {
      dispatch_numeric(y.dtype(), [&]<typename E>() {
        const T* px = x.data<T>();
        const E* py = y.data<E>();
        T* out = z.data<T>();
        for_each_broadcast_n<2>(z.shape(), ins, [&](int64_t i, const int64_t(&off)[2]) {
          out[i] = T(power(compute_t<T>(px[off[0]]), compute_t<E>(py[off[1]])));
        });
      });
    });
  }

 private:
  LegacyBroadcast legacy_;
  bool mixed_;
};

}  // namespace
INFERA_REGISTER_OP("Pow", PowKernel);
}  // namespace infera
