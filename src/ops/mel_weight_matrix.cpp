// MelWeightMatrix: a [dft_length / 2 + 1, num_mel_bins] matrix of triangular filters that maps
// a onesided spectrum onto mel bands between lower_edge_hertz and upper_edge_hertz. The band
// edges follow the ONNX reference: num_mel_bins + 2 points evenly spaced in mel, converted
// back to hertz and then to (floored) spectrum bin indices.
#include <algorithm>
#include <cmath>

#include "ops/dispatch.h"
#include "ops/op_util.h"
#include "ops/signal_util.h"

namespace infera {
namespace {

enum MelInput : int { kNumMelBins = 0, kDftLength, kSampleRate, kLowerHertz, kUpperHertz };

class MelWeightMatrixKernel final : public OpKernel {
 public:
  explicit MelWeightMatrixKernel(const KernelInit& init)
      : dtype_(static_cast<DType>(init.attr_int("output_datatype", 1))) {
    if (!dtype_is_known(static_cast<int32_t>(dtype_)) || dtype_ == DType::kString) {
      init.fail("unsupported output_datatype " + std::to_string(static_cast<int32_t>(dtype_)));
    }
  }

  void infer(InferContext& ctx) const override {
    for (int i = 0; i < 5; ++i) {
      if (ctx.input(i).numel() != 1) {
        ctx.fail("input " + std::to_string(i) + " should be a scalar, got " +
                 shape_to_string(ctx.input(i).shape()));
      }
    }
    if (!ctx.input(kNumMelBins).has_data() || !ctx.input(kDftLength).has_data()) {
      ctx.set_output_dynamic(0);
      return;
    }
    ctx.set_output(0, dtype_, output_shape(ctx));
  }

  void run(RunContext& ctx) const override {
    const Shape shape = output_shape(ctx);
    Tensor& y = output_with_shape(ctx, 0, dtype_, shape);
    const std::vector<int64_t> edges = band_edges(ctx, shape[1]);
    dispatch_numeric(dtype_,
                     [&]<typename T>() { fill_filters(y.data<T>(), edges, shape[0], shape[1]); });
  }

 private:
  template <typename Ctx>
  Shape output_shape(const Ctx& ctx) const {
    const int64_t mel_bins = read_scalar_int(ctx.input(kNumMelBins));
    const int64_t dft_length = read_scalar_int(ctx.input(kDftLength));
    if (mel_bins < 1 || dft_length < 1) {
      ctx.fail("num_mel_bins and dft_length must be positive, got " + std::to_string(mel_bins) +
               " and " + std::to_string(dft_length));
    }
    return {dft_length / 2 + 1, mel_bins};
  }

  // The mel arithmetic runs in float32 as the reference's does, so edges floor identically.
  static std::vector<int64_t> band_edges(const RunContext& ctx, int64_t mel_bins) {
    const int64_t dft_length = read_scalar_int(ctx.input(kDftLength));
    const double sample_rate = read_scalar_double(ctx.input(kSampleRate));
    const float lower = static_cast<float>(read_scalar_double(ctx.input(kLowerHertz)));
    const float upper = static_cast<float>(read_scalar_double(ctx.input(kUpperHertz)));
    const float low_mel = 2595.0f * std::log10(1.0f + lower / 700.0f);
    const float high_mel = 2595.0f * std::log10(1.0f + upper / 700.0f);
    const float mel_step = (high_mel - low_mel) / static_cast<float>(mel_bins + 2);
    std::vector<int64_t> edges(static_cast<size_t>(mel_bins + 2));
    for (int64_t i = 0; i < mel_bins + 2; ++i) {
      const double mel = static_cast<double>(i) * mel_step + low_mel;
      const double hertz = 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
      edges[i] = static_cast<int64_t>(
          std::floor(static_cast<double>(dft_length + 1) * hertz / sample_rate));
    }
    return edges;
  }

  template <typename T>
  static void fill_filters(T* out, const std::vector<int64_t>& edges, int64_t spectrum_bins,
                           int64_t mel_bins) {
    std::fill_n(out, spectrum_bins * mel_bins, from_double<T>(0.0));
    auto set = [&](int64_t row, int64_t band, double v) {
      if (row >= 0 && row < spectrum_bins) out[row * mel_bins + band] = from_double<T>(v);
    };
    for (int64_t i = 0; i < mel_bins; ++i) {
      const int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
      if (center == left) {
        set(center, i, 1.0);
      } else {
        for (int64_t j = left; j <= center; ++j) {
          set(j, i, static_cast<double>(j - left) / static_cast<double>(center - left));
        }
      }
      for (int64_t j = center; j < right; ++j) {
        set(j, i, static_cast<double>(right - j) / static_cast<double>(right - center));
      }
    }
  }

  DType dtype_;
};

}  // namespace
INFERA_REGISTER_OP("MelWeightMatrix", MelWeightMatrixKernel);
}  // namespace infera
