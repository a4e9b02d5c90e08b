// STFT: frames of frame_length samples every frame_step along a [batch, length, 1|2] signal,
// each multiplied by the window (when given) and transformed, giving
// [batch, frames, bins, 2] with bins = frame_length / 2 + 1 when onesided (the default).
#include <complex>

#include "ops/dispatch.h"
#include "ops/op_util.h"
#include "ops/signal_util.h"
#include "ops/slot_util.h"

namespace infera {
namespace {

enum StftInput : int { kSignal = 0, kFrameStep, kWindow, kFrameLength };

struct StftGeometry {
  int64_t step = 0, frame_length = 0, frames = 0, bins = 0;
};

class StftKernel final : public OpKernel {
 public:
  explicit StftKernel(const KernelInit& init) : onesided_(init.attr_int("onesided", 1) != 0) {}

  void infer(InferContext& ctx) const override {
    const Tensor& signal = ctx.input(kSignal);
    if (signal.rank() != 3 || (signal.dim(2) != 1 && signal.dim(2) != 2)) {
      ctx.fail("signal should be [batch, length, 1] or [batch, length, 2], got " +
               shape_to_string(signal.shape()));
    }
    if (has_input_slot(ctx, kWindow) && ctx.input(kWindow).rank() != 1) {
      ctx.fail("window should be 1-D, got " + shape_to_string(ctx.input(kWindow).shape()));
    }
    const bool known = ctx.input(kFrameStep).has_data() &&
                       (!has_input_slot(ctx, kFrameLength) || ctx.input(kFrameLength).has_data());
    if (!known) {
      ctx.set_output_dynamic(0);
      return;
    }
    const StftGeometry g = geometry(ctx);
    ctx.set_output(0, signal.dtype(), {signal.dim(0), g.frames, g.bins, 2});
  }

  void run(RunContext& ctx) const override {
    const Tensor& signal = ctx.input(kSignal);
    const StftGeometry g = geometry(ctx);
    Tensor& y = output_with_shape(ctx, 0, signal.dtype(), {signal.dim(0), g.frames, g.bins, 2});
    const Tensor* window = has_input_slot(ctx, kWindow) ? &ctx.input(kWindow) : nullptr;
    dispatch_float(signal.dtype(), [&]<typename T>() { transform<T>(signal, window, g, y); });
  }

 private:
  template <typename Ctx>
  StftGeometry geometry(const Ctx& ctx) const {
    StftGeometry g;
    g.step = read_scalar_int(ctx.input(kFrameStep));
    if (g.step < 1) ctx.fail("frame_step must be positive, got " + std::to_string(g.step));
    const bool has_window = has_input_slot(ctx, kWindow);
    const int64_t window_length = has_window ? ctx.input(kWindow).dim(0) : 0;
    if (has_input_slot(ctx, kFrameLength)) {
      g.frame_length = read_scalar_int(ctx.input(kFrameLength));
      if (has_window && window_length != g.frame_length) {
        ctx.fail("window length " + std::to_string(window_length) + " differs from frame_length " +
                 std::to_string(g.frame_length));
      }
    } else if (has_window) {
      g.frame_length = window_length;
    } else {
      ctx.fail("STFT needs a window or a frame_length");
    }
    const int64_t length = ctx.input(kSignal).dim(1);
    if (g.frame_length < 1 || g.frame_length > length) {
      ctx.fail("frame_length " + std::to_string(g.frame_length) + " does not fit signal length " +
               std::to_string(length));
    }
    g.frames = (length - g.frame_length) / g.step + 1;
    g.bins = onesided_ ? g.frame_length / 2 + 1 : g.frame_length;
    return g;
  }

  template <typename T>
  void transform(const Tensor& signal, const Tensor* window, const StftGeometry& g,
                 Tensor& y) const {
    const int64_t length = signal.dim(1), parts = signal.dim(2);
    // Reference kernel: twiddles, the window as doubles and one frame in and out as scratch.
    std::vector<std::complex<double>> twiddles, frame(g.frame_length), spectrum(g.bins);
    std::vector<double> weights(g.frame_length, 1.0);
    if (window) {
      dispatch_float(window->dtype(), [&]<typename W>() {
        for (int64_t j = 0; j < g.frame_length; ++j)
          weights[j] = static_cast<double>(window->data<W>()[j]);
      });
    }
    dft_twiddles(g.frame_length, twiddles);
    const T* src = signal.data<T>();
    T* dst = y.data<T>();
    for (int64_t b = 0; b < signal.dim(0); ++b) {
      for (int64_t f = 0; f < g.frames; ++f) {
        const T* s = src + (b * length + f * g.step) * parts;
        for (int64_t j = 0; j < g.frame_length; ++j) {
          const double im = parts == 2 ? static_cast<double>(s[j * 2 + 1]) : 0.0;
          frame[j] = std::complex<double>(static_cast<double>(s[j * parts]), im) * weights[j];
        }
        dft_line(frame.data(), g.frame_length, twiddles.data(), false, spectrum.data(), g.bins);
        T* out = dst + (b * g.frames + f) * g.bins * 2;
        for (int64_t k = 0; k < g.bins; ++k) {
          out[2 * k] = from_double<T>(spectrum[k].real());
          out[2 * k + 1] = from_double<T>(spectrum[k].imag());
        }
      }
    }
  }

  bool onesided_;
};

}  // namespace
INFERA_REGISTER_OP("STFT", StftKernel);
}  // namespace infera
