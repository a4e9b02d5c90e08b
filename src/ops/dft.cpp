// DFT: discrete Fourier transform along one axis of a real [..., n, 1] or complex [..., n, 2]
// signal, giving complex [..., m, 2]. dft_length zero-pads or truncates the signal; onesided
// keeps the m = length/2 + 1 non-redundant bins. Opset 20 moved `axis` from an attribute to
// input 2 (default -2, the last signal axis).
#include <complex>

#include "ops/dispatch.h"
#include "ops/op_util.h"
#include "ops/signal_util.h"
#include "ops/slot_util.h"

namespace infera {
namespace {

class DftKernel final : public OpKernel {
 public:
  explicit DftKernel(const KernelInit& init)
      : axis_attr_(init.opset() < 20 ? init.attr_int("axis", 1) : -2),
        axis_is_input_(init.opset() >= 20),
        inverse_(init.attr_int("inverse", 0) != 0),
        onesided_(init.attr_int("onesided", 0) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() < 2 || (x.shape().back() != 1 && x.shape().back() != 2)) {
      ctx.fail("input should be [..., n, 1] (real) or [..., n, 2] (complex), got " +
               shape_to_string(x.shape()));
    }
    if (!needed_data_known(ctx)) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, x.dtype(), output_shape(ctx, x.shape()));
  }

  void run(RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Shape out_shape = output_shape(ctx, x.shape());
    Tensor& y = output_with_shape(ctx, 0, x.dtype(), out_shape);
    const int64_t axis = axis_of(ctx, x.rank());
    const int64_t length = dft_length(ctx, x.shape()[axis]);
    dispatch_float(x.dtype(), [&]<typename T>() {
      transform<T>(x, axis, length, out_shape[axis], y.data<T>());
    });
  }

 private:
  template <typename Ctx>
  bool needed_data_known(const Ctx& ctx) const {
    for (int i = 1; i <= 2; ++i) {
      if (has_input_slot(ctx, i) && !ctx.input(i).has_data()) return false;
    }
    return true;
  }

  template <typename Ctx>
  int64_t axis_of(const Ctx& ctx, int rank) const {
    int64_t axis = axis_attr_;
    if (axis_is_input_ && has_input_slot(ctx, 2)) axis = read_scalar_int(ctx.input(2));
    // The last dimension holds real/imaginary parts, so it is never a signal axis.
    axis = normalize_axis(axis, rank, "DFT axis");
    if (axis == rank - 1) ctx.fail("DFT axis cannot be the last (real/imaginary) dimension");
    return axis;
  }

  template <typename Ctx>
  int64_t dft_length(const Ctx& ctx, int64_t signal_length) const {
    if (!has_input_slot(ctx, 1)) return signal_length;
    const int64_t length = read_scalar_int(ctx.input(1));
    if (length < 1) ctx.fail("dft_length must be positive, got " + std::to_string(length));
    return length;
  }

  template <typename Ctx>
  Shape output_shape(const Ctx& ctx, const Shape& in) const {
    const int64_t axis = axis_of(ctx, static_cast<int>(in.size()));
    const int64_t length = dft_length(ctx, in[axis]);
    Shape out = in;
    out[axis] = onesided_ ? length / 2 + 1 : length;
    out.back() = 2;
    return out;
  }

  // Each line along `axis` is gathered into complex scratch, padded or cut to `length`.
  template <typename T>
  void transform(const Tensor& x, int64_t axis, int64_t length, int64_t bins, T* y) const {
    const Shape& in = x.shape();
    const int64_t n_in = in[axis];
    const int64_t parts = in.back();
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d) outer *= in[d];
    for (int64_t d = axis + 1; d + 1 < static_cast<int64_t>(in.size()); ++d) inner *= in[d];
    // Reference kernel: twiddles and one line of input and output as scratch.
    std::vector<std::complex<double>> twiddles, line(length), spectrum(bins);
    dft_twiddles(length, twiddles);
    const T* src = x.data<T>();
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        for (int64_t j = 0; j < length; ++j) {
          if (j >= n_in) {
            line[j] = 0;
            continue;
          }
          const T* e = src + ((o * n_in + j) * inner + i) * parts;
          line[j] = {static_cast<double>(e[0]), parts == 2 ? static_cast<double>(e[1]) : 0.0};
        }
        dft_line(line.data(), length, twiddles.data(), inverse_, spectrum.data(), bins);
        for (int64_t k = 0; k < bins; ++k) {
          T* e = y + ((o * bins + k) * inner + i) * 2;
          e[0] = from_double<T>(spectrum[k].real());
          e[1] = from_double<T>(spectrum[k].imag());
        }
      }
    }
  }

  int64_t axis_attr_;
  bool axis_is_input_;
  bool inverse_;
  bool onesided_;
};

}  // namespace
INFERA_REGISTER_OP("DFT", DftKernel);
}  // namespace infera
