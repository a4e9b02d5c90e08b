// Geometry, channel conversion and the float tensor at the end of preprocessing. Resizing is
// in resample.cpp.
#include "pipeline/preprocess.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "infera/error.h"

namespace infera {
namespace {

[[noreturn]] void preprocess_error(const std::string& message) {
  throw Error(ErrorKind::kInvalidArgument, message);
}

Image blank(int width, int height, int channels, int bit_depth) {
  return allocate_image(width, height, channels, bit_depth, DecodeLimits{UINT64_MAX}, "preprocess");
}

uint32_t sample_at(const Image& image, size_t i) {
  return image.bit_depth == 16 ? image.samples16[i] : image.samples8[i];
}

void set_sample(Image& image, size_t i, uint32_t value) {
  if (image.bit_depth == 16) {
    image.samples16[i] = static_cast<uint16_t>(value);
  } else {
    image.samples8[i] = static_cast<uint8_t>(value);
  }
}

// Python's round() on a value that is an integer or an integer plus one half.
int round_half_to_even_of_half(int twice) {
  int floor_half = twice >= 0 ? twice / 2 : -((-twice + 1) / 2);
  bool is_tie = twice % 2 != 0;
  return is_tie && floor_half % 2 != 0 ? floor_half + 1 : floor_half;
}

}  // namespace

Image crop_image(const Image& image, int left, int top, int width, int height) {
  if (left < 0 || top < 0 || width <= 0 || height <= 0 || left + width > image.width ||
      top + height > image.height) {
    preprocess_error("crop: window " + std::to_string(width) + "x" + std::to_string(height) +
                     " at (" + std::to_string(left) + ", " + std::to_string(top) +
                     ") does not fit a " + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + " image");
  }
  Image out = blank(width, height, image.channels, image.bit_depth);
  size_t c = static_cast<size_t>(image.channels);
  for (int y = 0; y < height; ++y) {
    size_t from = (static_cast<size_t>(top + y) * image.width + left) * c;
    size_t to = static_cast<size_t>(y) * width * c;
    for (size_t i = 0; i < width * c; ++i) set_sample(out, to + i, sample_at(image, from + i));
  }
  return out;
}

Image pad_image(const Image& image, int left, int top, int right, int bottom, uint16_t fill) {
  if (left < 0 || top < 0 || right < 0 || bottom < 0) preprocess_error("pad: negative border");
  int width = image.width + left + right, height = image.height + top + bottom;
  Image out = blank(width, height, image.channels, image.bit_depth);
  for (size_t i = 0; i < out.sample_count(); ++i) set_sample(out, i, fill);
  size_t c = static_cast<size_t>(image.channels);
  for (int y = 0; y < image.height; ++y) {
    size_t from = static_cast<size_t>(y) * image.width * c;
    size_t to = (static_cast<size_t>(y + top) * width + left) * c;
    for (size_t i = 0; i < image.width * c; ++i)
      set_sample(out, to + i, sample_at(image, from + i));
  }
  return out;
}

Image center_crop(const Image& image, int width, int height) {
  if (width > image.width || height > image.height) {
    // torchvision pads the short way first: floor half before, the rest after.
    int extra_x = std::max(width - image.width, 0), extra_y = std::max(height - image.height, 0);
    Image padded = pad_image(image, extra_x / 2, extra_y / 2, (extra_x + 1) / 2, (extra_y + 1) / 2);
    return center_crop(padded, width, height);
  }
  int top = round_half_to_even_of_half(image.height - height);
  int left = round_half_to_even_of_half(image.width - width);
  return crop_image(image, left, top, width, height);
}

Image convert_channels(const Image& image, int channels) {
  if (channels != 1 && channels != 3) preprocess_error("convert: channels must be 1 or 3");
  bool has_colour = image.channels >= 3;
  if (image.channels == channels) return image;
  Image out = blank(image.width, image.height, channels, image.bit_depth);
  size_t pixels = static_cast<size_t>(image.width) * image.height;
  size_t c = static_cast<size_t>(image.channels);
  for (size_t p = 0; p < pixels; ++p) {
    const size_t in = p * c;
    if (channels == 3) {
      for (size_t ch = 0; ch < 3; ++ch) {
        set_sample(out, p * 3 + ch, sample_at(image, in + (has_colour ? ch : 0)));
      }
    } else if (has_colour) {
      // Pillow's L = R*299/1000 + G*587/1000 + B*114/1000 in 16-bit fixed point, rounded.
      uint64_t luma = sample_at(image, in) * uint64_t{19595} +
                      sample_at(image, in + 1) * uint64_t{38470} +
                      sample_at(image, in + 2) * uint64_t{7471} + 0x8000;
      set_sample(out, p, static_cast<uint32_t>(luma >> 16));
    } else {
      set_sample(out, p, sample_at(image, in));  // grey + alpha: drop alpha
    }
  }
  return out;
}

Tensor images_to_tensor(const std::vector<Image>& images, const TensorOptions& options) {
  if (images.empty()) preprocess_error("to tensor: no images");
  const Image& first = images.front();
  const int64_t n = static_cast<int64_t>(images.size()), c = first.channels, h = first.height,
                w = first.width;
  auto per_channel = [&](const std::vector<float>& values, float absent, const char* what) {
    if (values.empty()) return std::vector<float>(c, absent);
    if (values.size() == 1) return std::vector<float>(c, values[0]);
    if (static_cast<int64_t>(values.size()) != c) {
      preprocess_error(std::string("to tensor: ") + what + " has " + std::to_string(values.size()) +
                       " values for " + std::to_string(c) + " channels");
    }
    return values;
  };
  std::vector<float> mean = per_channel(options.mean, 0.0f, "mean");
  std::vector<float> std_dev = per_channel(options.std, 1.0f, "std");
  Tensor out =
      Tensor::empty(DType::kFloat32, options.channels_last ? Shape{n, h, w, c} : Shape{n, c, h, w});
  float* data = out.data<float>();
  for (int64_t b = 0; b < n; ++b) {
    const Image& image = images[static_cast<size_t>(b)];
    if (image.width != w || image.height != h || image.channels != c) {
      preprocess_error("to tensor: image " + std::to_string(b) + " is " +
                       std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                       std::to_string(image.channels) + ", the first is " + std::to_string(w) +
                       "x" + std::to_string(h) + "x" + std::to_string(c) +
                       " (resize or crop them to one size)");
    }
    const float max_value = image.bit_depth == 16 ? 65535.0f : 255.0f;
    for (int64_t ch = 0; ch < c; ++ch) {
      int64_t source_ch = options.bgr && c == 3 ? 2 - ch : ch;
      for (int64_t p = 0; p < h * w; ++p) {
        // Divide (not multiply by 1/255) in float32, as torchvision's ToTensor does.
        float v = static_cast<float>(sample_at(image, static_cast<size_t>(p * c + source_ch)));
        if (options.scale == PixelScale::kUnit) v = v / max_value;
        if (options.scale == PixelScale::kSymmetric)
          v = v / (max_value / 2.0f) - 1.0f;  // Keras: x / 127.5 - 1
        v = (v - mean[ch]) / std_dev[ch];
        int64_t at = options.channels_last ? (b * h * w + p) * c + ch : (b * c + ch) * h * w + p;
        data[at] = v;
      }
    }
  }
  return out;
}

}  // namespace infera
