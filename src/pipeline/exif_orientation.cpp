// EXIF orientation: cameras store the sensor's pixels and record how to turn them upright in
// IFD0 tag 0x0112. Pillow's ImageOps.exif_transpose applies the same eight transforms.
#include <cstring>

#include "pipeline/image_codecs.h"

namespace infera {
namespace {

struct TiffReader {
  const uint8_t* data;
  size_t size;
  bool little_endian;

  bool has(size_t offset, size_t length) const { return offset <= size && length <= size - offset; }
  uint32_t u16(size_t at) const {
    return little_endian ? data[at] | data[at + 1] << 8 : data[at] << 8 | data[at + 1];
  }
  uint32_t u32(size_t at) const {
    return little_endian ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2);
  }
};

}  // namespace

int exif_orientation(const uint8_t* app1, size_t size) {
  static const char kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};
  if (size < 6 + 8 || std::memcmp(app1, kExifHeader, 6) != 0) return 1;
  TiffReader tiff{app1 + 6, size - 6, false};
  if (tiff.data[0] == 'I' && tiff.data[1] == 'I') {
    tiff.little_endian = true;
  } else if (!(tiff.data[0] == 'M' && tiff.data[1] == 'M')) {
    return 1;
  }
  if (tiff.u16(2) != 42) return 1;
  size_t ifd = tiff.u32(4);
  if (!tiff.has(ifd, 2)) return 1;
  uint32_t entries = tiff.u16(ifd);
  for (uint32_t i = 0; i < entries; ++i) {
    size_t entry = ifd + 2 + 12 * static_cast<size_t>(i);
    if (!tiff.has(entry, 12)) return 1;
    if (tiff.u16(entry) != 0x0112) continue;
    uint32_t value = tiff.u16(entry + 8);  // a SHORT, stored left-aligned in the value field
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

// Output pixel (x, y) comes from the stored pixel given by the orientation's inverse map.
Image apply_exif_orientation(const Image& stored, int orientation) {
  bool swaps_axes = orientation >= 5;
  Image out = stored;
  if (swaps_axes) std::swap(out.width, out.height);
  int w = stored.width, h = stored.height, c = stored.channels;
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;  // mirrored
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;  // rotated 180
        case 4:
          sy = h - 1 - y;
          break;  // flipped
        case 5:
          sx = y;
          sy = x;
          break;  // transposed
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;  // rotate 90 clockwise to view
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;  // transversed
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;  // rotate 90 counter-clockwise
        default:
          break;
      }
      const uint8_t* from = &stored.samples8[(static_cast<size_t>(sy) * w + sx) * c];
      uint8_t* to = &out.samples8[(static_cast<size_t>(y) * out.width + x) * c];
      std::memcpy(to, from, static_cast<size_t>(c));
    }
  }
  return out;
}

}  // namespace infera
