// PNG through libpng's classic API. libpng reports errors by longjmp; the only frames it may
// unwind are libpng's own and the two small *_guarded functions below, which hold no C++
// objects, so no destructor is ever skipped. Every C++ object lives in decode_png, above them.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "pipeline/image_codecs.h"

namespace infera {
namespace {

// Plain old data shared with libpng's callbacks.
struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t offset;
  char message[256];
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof source->message, "%s", message);
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}  // ancillary-chunk trouble is not fatal

void on_png_read(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (source->size - source->offset < length) png_error(png, "file is truncated");
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

// Reads the header and asks libpng to expand everything to 8/16-bit grey, GA, RGB or RGBA.
bool read_header_guarded(png_structp png, png_infop info) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  int color_type = png_get_color_type(png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) {
    png_set_expand_gray_1_2_4_to_8(png);
  }
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (png_get_bit_depth(png, info) == 16) png_set_swap(png);  // PNG is big-endian; x86 is not
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

bool read_rows_guarded(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  return true;
}

}  // namespace

bool looks_like_png(const uint8_t* data, size_t size) {
  return size >= 8 && png_sig_cmp(data, 0, 8) == 0;
}

Image decode_png(const uint8_t* data, size_t size, const std::string& name,
                 const DecodeLimits& limits) {
  PngSource source{data, size, 0, {}};
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_png_error, on_png_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    image_error(name, "out of memory starting the PNG decoder");
  }
  struct Cleanup {
    png_structp* png;
    png_infop* info;
    ~Cleanup() { png_destroy_read_struct(png, info, nullptr); }
  } cleanup{&png, &info};

  png_set_read_fn(png, &source, on_png_read);
  // The bomb guard below needs the true header size, not libpng's default 1M cap.
  png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
  if (!read_header_guarded(png, info)) {
    image_error(name, std::string("corrupt or truncated PNG (") + source.message + ")");
  }
  int width = static_cast<int>(png_get_image_width(png, info));
  int height = static_cast<int>(png_get_image_height(png, info));
  int channels = png_get_channels(png, info);
  int bit_depth = png_get_bit_depth(png, info);
  Image image = allocate_image(width, height, channels, bit_depth, limits, name);

  size_t row_bytes = png_get_rowbytes(png, info);
  uint8_t* base =
      bit_depth == 16 ? reinterpret_cast<uint8_t*>(image.samples16.data()) : image.samples8.data();
  std::vector<png_bytep> rows(static_cast<size_t>(height));
  for (size_t y = 0; y < rows.size(); ++y) rows[y] = base + y * row_bytes;
  if (!read_rows_guarded(png, rows.data())) {
    image_error(name, std::string("corrupt or truncated PNG (") + source.message + ")");
  }
  return image;
}

}  // namespace infera
