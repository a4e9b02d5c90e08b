// Pillow's resampling (libImaging/Resample.c), re-derived so results match it exactly on
// 8-bit images: per output pixel a window of input pixels with filter weights, the window
// widened by the scale factor when shrinking (antialiasing), weights normalised to sum 1 and
// then rounded to PRECISION_BITS fixed point; each separable pass rounds and clips to 8 bits.
// 16-bit images take the same windows in double precision.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "infera/error.h"
#include "pipeline/preprocess.h"

namespace infera {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's: room for 8-bit sums without overflow

double bilinear_weight(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

double bicubic_weight(double x) {  // Keys cubic with a = -0.5, as Pillow
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// For each output pixel: the first input pixel, how many follow, and their weights.
struct Windows {
  int size = 0;  // weights stored per output pixel (the widest window)
  std::vector<int> first, count;
  std::vector<double> weights;
  std::vector<int> fixed_weights;  // weights * 2^kPrecisionBits, rounded away from zero
};

Windows compute_windows(int in_size, int out_size, ResizeFilter filter) {
  double (*weight)(double) = filter == ResizeFilter::kBicubic ? bicubic_weight : bilinear_weight;
  double filter_support = filter == ResizeFilter::kBicubic ? 2.0 : 1.0;
  double scale = static_cast<double>(in_size) / out_size;
  double filter_scale = std::max(scale, 1.0);
  double support = filter_support * filter_scale;
  Windows w;
  w.size = static_cast<int>(std::ceil(support)) * 2 + 1;
  w.first.resize(out_size);
  w.count.resize(out_size);
  w.weights.assign(static_cast<size_t>(out_size) * w.size, 0.0);
  for (int o = 0; o < out_size; ++o) {
    double center = (o + 0.5) * scale;
    int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    int hi = std::min(static_cast<int>(center + support + 0.5), in_size);
    double* k = &w.weights[static_cast<size_t>(o) * w.size];
    double total = 0.0;
    for (int i = 0; i < hi - lo; ++i) {
      k[i] = weight((i + lo - center + 0.5) / filter_scale);
      total += k[i];
    }
    for (int i = 0; i < hi - lo && total != 0.0; ++i) k[i] /= total;
    w.first[o] = lo;
    w.count[o] = hi - lo;
  }
  w.fixed_weights.resize(w.weights.size());
  for (size_t i = 0; i < w.weights.size(); ++i) {
    double v = w.weights[i] * (1 << kPrecisionBits);
    w.fixed_weights[i] = static_cast<int>(v < 0 ? v - 0.5 : v + 0.5);
  }
  return w;
}

uint8_t clip_fixed_to_8bit(int64_t sum) {
  if (sum <= 0) return 0;
  if (sum >= (int64_t{256} << kPrecisionBits)) return 255;
  return static_cast<uint8_t>(sum >> kPrecisionBits);
}

// One separable pass along x (`along_x`) or y; `out` is already sized.
template <typename Sample>
void resample_pass(const Image& in, Image& out, const Windows& w, bool along_x) {
  const std::vector<Sample>& src = [&]() -> const std::vector<Sample>& {
    if constexpr (sizeof(Sample) == 1)
      return in.samples8;
    else
      return in.samples16;
  }();
  std::vector<Sample>& dst = [&]() -> std::vector<Sample>& {
    if constexpr (sizeof(Sample) == 1)
      return out.samples8;
    else
      return out.samples16;
  }();
  const size_t c = static_cast<size_t>(in.channels);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int o = along_x ? x : y;
      size_t weights_at = static_cast<size_t>(o) * w.size;
      for (size_t ch = 0; ch < c; ++ch) {
        int64_t fixed_sum = int64_t{1} << (kPrecisionBits - 1);
        double sum = 0.0;
        for (int i = 0; i < w.count[o]; ++i) {
          int sx = along_x ? w.first[o] + i : x, sy = along_x ? y : w.first[o] + i;
          Sample v = src[(static_cast<size_t>(sy) * in.width + sx) * c + ch];
          if constexpr (sizeof(Sample) == 1) {
            fixed_sum += static_cast<int64_t>(v) * w.fixed_weights[weights_at + i];
          } else {
            sum += v * w.weights[weights_at + i];
          }
        }
        Sample& result = dst[(static_cast<size_t>(y) * out.width + x) * c + ch];
        if constexpr (sizeof(Sample) == 1) {
          result = clip_fixed_to_8bit(fixed_sum);
        } else {
          result = static_cast<uint16_t>(std::clamp(std::round(sum), 0.0, 65535.0));
        }
      }
    }
  }
}

// The same passes for 8-bit images, arranged for speed and bit-identical to resample_pass:
// 32-bit sums as Pillow keeps them (weights sum to 2^22, so 255 * 2^22 cannot overflow), and
// the vertical pass walks whole rows so the compiler can vectorise it.
void resample_pass_u8_along_x(const Image& in, Image& out, const Windows& w) {
  const int c = in.channels;
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* src_row = in.samples8.data() + static_cast<size_t>(y) * in.width * c;
    uint8_t* dst = out.samples8.data() + static_cast<size_t>(y) * out.width * c;
    for (int x = 0; x < out.width; ++x) {
      const int* k = w.fixed_weights.data() + static_cast<size_t>(x) * w.size;
      const uint8_t* src = src_row + static_cast<size_t>(w.first[x]) * c;
      for (int ch = 0; ch < c; ++ch) {
        int32_t sum = int32_t{1} << (kPrecisionBits - 1);
        for (int i = 0; i < w.count[x]; ++i) sum += src[i * c + ch] * k[i];
        dst[x * c + ch] = clip_fixed_to_8bit(sum);
      }
    }
  }
}

void resample_pass_u8_along_y(const Image& in, Image& out, const Windows& w) {
  const size_t row_samples = static_cast<size_t>(out.width) * out.channels;
  std::vector<int32_t> sums(row_samples);
  for (int y = 0; y < out.height; ++y) {
    std::fill(sums.begin(), sums.end(), int32_t{1} << (kPrecisionBits - 1));
    const int* k = w.fixed_weights.data() + static_cast<size_t>(y) * w.size;
    for (int i = 0; i < w.count[y]; ++i) {
      const uint8_t* src = in.samples8.data() + static_cast<size_t>(w.first[y] + i) * row_samples;
      const int32_t weight = k[i];
      for (size_t s = 0; s < row_samples; ++s) sums[s] += src[s] * weight;
    }
    uint8_t* dst = out.samples8.data() + static_cast<size_t>(y) * row_samples;
    for (size_t s = 0; s < row_samples; ++s) dst[s] = clip_fixed_to_8bit(sums[s]);
  }
}

Image blank_like(const Image& image, int width, int height) {
  return allocate_image(width, height, image.channels, image.bit_depth, DecodeLimits{UINT64_MAX},
                        "resize");
}

template <typename Sample>
Image resize_separable(const Image& image, int width, int height, ResizeFilter filter) {
  Image current = image;
  if (width != image.width) {  // Pillow skips a pass whose size does not change
    Image next = blank_like(current, width, current.height);
    const Windows windows = compute_windows(image.width, width, filter);
    if constexpr (sizeof(Sample) == 1)
      resample_pass_u8_along_x(current, next, windows);
    else
      resample_pass<Sample>(current, next, windows, true);
    current = std::move(next);
  }
  if (height != image.height) {
    Image next = blank_like(current, width, height);
    const Windows windows = compute_windows(image.height, height, filter);
    if constexpr (sizeof(Sample) == 1)
      resample_pass_u8_along_y(current, next, windows);
    else
      resample_pass<Sample>(current, next, windows, false);
    current = std::move(next);
  }
  return current;
}

// Pillow's nearest: the source pixel containing the output pixel's centre, stepping in double
// precision as Pillow's affine scaler does.
Image resize_nearest(const Image& image, int width, int height) {
  std::vector<int> source_x(width), source_y(height);
  double step_x = static_cast<double>(image.width) / width;
  double step_y = static_cast<double>(image.height) / height;
  double at = step_x * 0.5;
  for (int x = 0; x < width; ++x, at += step_x)
    source_x[x] = std::min(static_cast<int>(at), image.width - 1);
  at = step_y * 0.5;
  for (int y = 0; y < height; ++y, at += step_y)
    source_y[y] = std::min(static_cast<int>(at), image.height - 1);
  Image out = blank_like(image, width, height);
  size_t c = static_cast<size_t>(image.channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      size_t from = (static_cast<size_t>(source_y[y]) * image.width + source_x[x]) * c;
      size_t to = (static_cast<size_t>(y) * width + x) * c;
      for (size_t ch = 0; ch < c; ++ch) {
        if (image.bit_depth == 16) {
          out.samples16[to + ch] = image.samples16[from + ch];
        } else {
          out.samples8[to + ch] = image.samples8[from + ch];
        }
      }
    }
  }
  return out;
}

}  // namespace

Image resize_image(const Image& image, int width, int height, ResizeFilter filter) {
  if (width <= 0 || height <= 0) {
    throw Error(ErrorKind::kInvalidArgument, "resize: target size " + std::to_string(width) + "x" +
                                                 std::to_string(height) + " must be positive");
  }
  if (width == image.width && height == image.height) return image;
  if (filter == ResizeFilter::kNearest) return resize_nearest(image, width, height);
  return image.bit_depth == 16 ? resize_separable<uint16_t>(image, width, height, filter)
                               : resize_separable<uint8_t>(image, width, height, filter);
}

Image resize_shorter_side(const Image& image, int size, ResizeFilter filter) {
  bool portrait = image.width <= image.height;
  int64_t shorter = portrait ? image.width : image.height;
  int64_t longer = portrait ? image.height : image.width;
  // Python's int(size * long / short): exact product, one correctly rounded division.
  int new_longer =
      static_cast<int>(static_cast<double>(size * longer) / static_cast<double>(shorter));
  return portrait ? resize_image(image, size, new_longer, filter)
                  : resize_image(image, new_longer, size, filter);
}

}  // namespace infera
