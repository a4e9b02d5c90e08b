// Decoded images: the pipeline's input before preprocessing turns it into a tensor.
//
//   Image img = read_image_file("cat.jpg");           // format found from the bytes
//   img.width, img.height, img.channels               // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
//   img.samples8[(y * img.width + x) * img.channels + c]
//
// Formats: PNG (every colour type and bit depth, palette and tRNS expanded, interlaced), JPEG
// (baseline and progressive, grey and colour, EXIF orientation applied; CMYK refused), PGM/PPM
// (P2, P3, P5, P6) and BMP (24/32-bit uncompressed, 8-bit palette). Samples are 8-bit, or
// 16-bit for 16-bit PNGs and PNM files with maxval above 255. Every refusal is an infera::Error
// whose one-line message names the file and the problem.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace infera {

struct DecodeLimits {
  // Decompression-bomb guard: images whose header declares more pixels are refused before
  // any pixel memory is allocated (a 100-byte PNG can claim 65535 x 65535).
  uint64_t max_pixels = 100'000'000;
};

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;   // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  int bit_depth = 8;  // 8: samples8 holds the pixels; 16: samples16 does
  // Interleaved rows, top row first (HWC); exactly one of the two is filled.
  std::vector<uint8_t> samples8;
  std::vector<uint16_t> samples16;

  size_t sample_count() const {
    return static_cast<size_t>(width) * static_cast<size_t>(height) * static_cast<size_t>(channels);
  }
  // Sample (x, y, c) as a value in [0, 1], whatever the bit depth.
  float normalized(int x, int y, int c) const;
};

// Checks the declared size against `limits` and only then allocates zeroed samples. `name` is
// the file named in the error when the size is zero or too large.
Image allocate_image(int width, int height, int channels, int bit_depth, const DecodeLimits& limits,
                     const std::string& name);

// Decodes `size` bytes, finding the format from its first bytes (never from the name).
// Throws Error(kInvalidArgument) for anything that is not a supported, intact image.
Image decode_image(const uint8_t* data, size_t size, const std::string& name,
                   const DecodeLimits& limits = {});

// Reads and decodes a file; Error(kIo) when it cannot be read.
Image read_image_file(const std::string& path, const DecodeLimits& limits = {});

}  // namespace infera
