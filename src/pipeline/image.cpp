#include "pipeline/image.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "infera/error.h"
#include "pipeline/image_codecs.h"

namespace infera {

void image_error(const std::string& name, const std::string& problem) {
  throw Error(ErrorKind::kInvalidArgument, name + ": " + problem);
}

float Image::normalized(int x, int y, int c) const {
  size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) *
                 static_cast<size_t>(channels) +
             static_cast<size_t>(c);
  return bit_depth == 16 ? samples16[i] / 65535.0f : samples8[i] / 255.0f;
}

Image allocate_image(int width, int height, int channels, int bit_depth, const DecodeLimits& limits,
                     const std::string& name) {
  if (width <= 0 || height <= 0) {
    image_error(
        name, "image has zero size (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  }
  uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  if (pixels > limits.max_pixels) {
    image_error(name, "image is " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                          std::to_string(pixels) + " pixels, more than the limit of " +
                          std::to_string(limits.max_pixels) + " (possible decompression bomb)");
  }
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.bit_depth = bit_depth;
  if (bit_depth == 16) {
    image.samples16.assign(image.sample_count(), 0);
  } else {
    image.samples8.assign(image.sample_count(), 0);
  }
  return image;
}

Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   const DecodeLimits& limits) {
  if (size == 0) image_error(name, "file is empty");
  if (looks_like_png(data, size)) return decode_png(data, size, name, limits);
  if (looks_like_jpeg(data, size)) return decode_jpeg(data, size, name, limits);
  if (looks_like_pnm(data, size)) return decode_pnm(data, size, name, limits);
  if (looks_like_bmp(data, size)) return decode_bmp(data, size, name, limits);
  image_error(name, "not an image in a supported format (PNG, JPEG, PGM/PPM, BMP)");
}

Image read_image_file(const std::string& path, const DecodeLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, path + ": cannot open (" + std::strerror(errno) + ")");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorKind::kIo, path + ": read failed");
  return decode_image(bytes.data(), bytes.size(), path, limits);
}

}  // namespace infera
