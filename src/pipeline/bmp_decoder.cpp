// Windows bitmaps: uncompressed 24-bit (BGR), 32-bit (BGRX, or BGRA with the standard
// bitfield masks) and 8-bit palette, stored bottom-up (positive height) or top-down. As in
// Pillow, an 8-bit file whose palette is the grey ramp decodes to grey, any other to RGB.
#include "pipeline/image_codecs.h"

namespace infera {
namespace {

uint32_t le16(const uint8_t* p) {
  return static_cast<uint32_t>(p[0] | p[1] << 8);
}
uint32_t le32(const uint8_t* p) {
  return le16(p) | le16(p + 2) << 16;
}

constexpr uint32_t kRgb = 0, kBitfields = 3;

struct BmpHeader {
  uint32_t pixel_offset, header_size, compression, palette_size;
  int32_t width, height;
  uint32_t bits;
  bool has_alpha = false;
};

BmpHeader read_header(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 14 + 40) image_error(name, "truncated BMP (header incomplete)");
  BmpHeader h{};
  h.pixel_offset = le32(data + 10);
  h.header_size = le32(data + 14);
  if (h.header_size < 40) image_error(name, "unsupported BMP (OS/2 header)");
  h.width = static_cast<int32_t>(le32(data + 18));
  h.height = static_cast<int32_t>(le32(data + 22));
  h.bits = le16(data + 28);
  h.compression = le32(data + 30);
  h.palette_size = le32(data + 46);
  if (h.compression == kBitfields && h.bits == 32 && size >= 14 + 56) {
    bool standard =
        le32(data + 54) == 0xff0000 && le32(data + 58) == 0xff00 && le32(data + 62) == 0xff;
    if (!standard) image_error(name, "unsupported BMP (non-standard bitfield masks)");
    h.has_alpha = h.header_size >= 56 && le32(data + 66) == 0xff000000u;
  } else if (h.compression != kRgb) {
    image_error(name, "unsupported BMP (compressed: RLE/JPEG/PNG bitmaps are not supported)");
  }
  if (h.bits != 8 && h.bits != 24 && h.bits != 32) {
    image_error(name, "unsupported BMP (" + std::to_string(h.bits) + " bits per pixel)");
  }
  return h;
}

}  // namespace

bool looks_like_bmp(const uint8_t* data, size_t size) {
  return size >= 2 && data[0] == 'B' && data[1] == 'M';
}

Image decode_bmp(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits) {
  BmpHeader h = read_header(data, size, name);
  bool top_down = h.height < 0;
  int64_t height = top_down ? -static_cast<int64_t>(h.height) : h.height;
  if (height > 0x7fffffff) image_error(name, "corrupt BMP (height out of range)");

  const uint8_t* palette = data + 14 + h.header_size;
  uint32_t colours = h.palette_size ? h.palette_size : 256;
  bool grey_palette = false;
  if (h.bits == 8) {
    if (colours > 256 || 14 + h.header_size + 4 * static_cast<size_t>(colours) > size) {
      image_error(name, "corrupt BMP (palette incomplete)");
    }
    grey_palette = true;
    for (uint32_t i = 0; i < colours; ++i) {
      const uint8_t* e = palette + 4 * i;
      grey_palette = grey_palette && e[0] == i && e[1] == i && e[2] == i;
    }
  }
  int channels = h.bits == 8 ? (grey_palette ? 1 : 3) : (h.has_alpha ? 4 : 3);
  Image image = allocate_image(h.width, static_cast<int>(height), channels, 8, limits, name);

  size_t bytes_per_pixel = h.bits / 8;
  size_t row_stride = (static_cast<size_t>(h.width) * bytes_per_pixel + 3) & ~size_t{3};
  if (h.pixel_offset > size || (size - h.pixel_offset) / row_stride < static_cast<size_t>(height)) {
    image_error(name, "truncated BMP (pixel data ends early)");
  }
  for (int y = 0; y < image.height; ++y) {
    int stored_row = top_down ? y : image.height - 1 - y;
    const uint8_t* src = data + h.pixel_offset + static_cast<size_t>(stored_row) * row_stride;
    uint8_t* dst = &image.samples8[static_cast<size_t>(y) * image.width * channels];
    for (int x = 0; x < image.width; ++x, dst += channels) {
      if (h.bits == 8) {
        uint32_t index = src[x];
        if (index >= colours) image_error(name, "corrupt BMP (palette index out of range)");
        const uint8_t* e = palette + 4 * index;  // B, G, R, reserved
        if (grey_palette) {
          dst[0] = e[0];
        } else {
          dst[0] = e[2], dst[1] = e[1], dst[2] = e[0];
        }
      } else {
        const uint8_t* p = src + x * bytes_per_pixel;
        dst[0] = p[2], dst[1] = p[1], dst[2] = p[0];
        if (h.has_alpha) dst[3] = p[3];
      }
    }
  }
  return image;
}

}  // namespace infera
