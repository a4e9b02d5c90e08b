// Netpbm grey and colour maps: P2/P5 (PGM) and P3/P6 (PPM), ASCII or binary. Samples are
// scaled to the full 8-bit (maxval <= 255) or 16-bit range, rounding half to even as Pillow
// does, so maxval 255 and 65535 are copied exactly.
#include <cctype>

#include "pipeline/image_codecs.h"

namespace infera {
namespace {

struct PnmCursor {
  const uint8_t* data;
  size_t size;
  size_t offset;
  const std::string& name;

  void skip_space_and_comments() {
    while (offset < size) {
      if (data[offset] == '#') {
        while (offset < size && data[offset] != '\n' && data[offset] != '\r') ++offset;
      } else if (std::isspace(data[offset])) {
        ++offset;
      } else {
        return;
      }
    }
  }
  // A decimal header field or ASCII sample.
  uint32_t number(const char* what) {
    skip_space_and_comments();
    if (offset >= size) image_error(name, std::string("truncated PNM (no ") + what + ")");
    if (!std::isdigit(data[offset]))
      image_error(name, std::string("corrupt PNM (bad ") + what + ")");
    uint64_t value = 0;
    while (offset < size && std::isdigit(data[offset])) {
      value = value * 10 + (data[offset++] - '0');
      if (value > 0x7fffffff)
        image_error(name, std::string("corrupt PNM (") + what + " too large)");
    }
    return static_cast<uint32_t>(value);
  }
};

// round(value / maxval * full) with ties to even, in exact integer arithmetic.
uint32_t rescale(uint32_t value, uint32_t maxval, uint32_t full) {
  if (maxval == full) return value;
  uint64_t scaled = static_cast<uint64_t>(value) * full;
  uint64_t quotient = scaled / maxval, twice_remainder = 2 * (scaled % maxval);
  if (twice_remainder > maxval || (twice_remainder == maxval && (quotient & 1))) ++quotient;
  return static_cast<uint32_t>(quotient);
}

}  // namespace

bool looks_like_pnm(const uint8_t* data, size_t size) {
  return size >= 3 && data[0] == 'P' &&
         (data[1] == '2' || data[1] == '3' || data[1] == '5' || data[1] == '6') &&
         std::isspace(data[2]);
}

Image decode_pnm(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits) {
  char kind = static_cast<char>(data[1]);
  bool ascii = kind == '2' || kind == '3';
  int channels = kind == '3' || kind == '6' ? 3 : 1;
  PnmCursor cursor{data, size, 2, name};
  uint32_t width = cursor.number("width");
  uint32_t height = cursor.number("height");
  uint32_t maxval = cursor.number("maxval");
  if (maxval == 0 || maxval > 65535) {
    image_error(name, "corrupt PNM (maxval " + std::to_string(maxval) + " not in 1..65535)");
  }
  int bit_depth = maxval > 255 ? 16 : 8;
  uint32_t full = bit_depth == 16 ? 65535 : 255;
  Image image = allocate_image(static_cast<int>(width), static_cast<int>(height), channels,
                               bit_depth, limits, name);
  size_t count = image.sample_count();
  size_t bytes_per_sample = maxval > 255 ? 2 : 1;
  if (!ascii) {
    ++cursor.offset;  // exactly one whitespace byte separates the header from the samples
    if (cursor.offset > size || (size - cursor.offset) / bytes_per_sample < count) {
      image_error(name, "truncated PNM (fewer samples than " + std::to_string(width) + "x" +
                            std::to_string(height) + " needs)");
    }
  }
  for (size_t i = 0; i < count; ++i) {
    uint32_t value;
    if (ascii) {
      value = cursor.number("sample");
    } else if (bytes_per_sample == 2) {
      const uint8_t* p = data + cursor.offset + 2 * i;
      value = static_cast<uint32_t>(p[0] << 8 | p[1]);  // big-endian, as Netpbm says
    } else {
      value = data[cursor.offset + i];
    }
    if (value > maxval) image_error(name, "corrupt PNM (sample above maxval)");
    if (bit_depth == 16) {
      image.samples16[i] = static_cast<uint16_t>(rescale(value, maxval, full));
    } else {
      image.samples8[i] = static_cast<uint8_t>(rescale(value, maxval, full));
    }
  }
  return image;
}

}  // namespace infera
