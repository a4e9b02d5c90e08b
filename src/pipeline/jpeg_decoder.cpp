// JPEG through libjpeg-turbo with its default settings (islow IDCT, fancy upsampling): the
// settings Pillow uses with the same library, so the pixels match what torchvision sees.
// libjpeg reports errors by calling error_exit, which must not return; ours longjmps back
// into the small *_guarded functions, which hold no C++ objects (see png_decoder.cpp).
// jpeglib.h uses size_t and FILE without including their headers, so they come first.
// clang-format off
#include <csetjmp>
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "pipeline/image_codecs.h"

namespace infera {
namespace {

struct JpegErrorManager {
  jpeg_error_mgr base;  // first, so libjpeg's pointer to it is a pointer to the whole
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool hit_end_of_data;  // libjpeg only warns, and pads with grey, when the data stops early
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  errors->base.format_message(cinfo, errors->message);
  longjmp(errors->jump, 1);
}

// Warnings stay quiet (cameras often leave stray bytes that every decoder tolerates), except
// a premature end of data: a truncated photo must not pass as a half-grey one.
void on_jpeg_message(j_common_ptr cinfo, int level) {
  auto* errors = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  if (level < 0 && errors->base.msg_code == JWRN_JPEG_EOF) errors->hit_end_of_data = true;
}

JpegErrorManager* errors_of(jpeg_decompress_struct* cinfo) {
  return reinterpret_cast<JpegErrorManager*>(cinfo->err);
}

bool read_header_guarded(jpeg_decompress_struct* cinfo, const uint8_t* data, size_t size) {
  if (setjmp(errors_of(cinfo)->jump)) return false;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xffff);  // EXIF lives in APP1
  jpeg_read_header(cinfo, TRUE);
  return true;
}

bool decompress_guarded(jpeg_decompress_struct* cinfo, uint8_t* out, size_t row_bytes) {
  if (setjmp(errors_of(cinfo)->jump)) return false;
  jpeg_start_decompress(cinfo);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out + cinfo->output_scanline * row_bytes;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return true;
}

int find_exif_orientation(const jpeg_decompress_struct& cinfo) {
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
    if (m->marker == JPEG_APP0 + 1) {
      int orientation = exif_orientation(m->data, m->data_length);
      if (orientation != 1) return orientation;
    }
  }
  return 1;
}

}  // namespace

bool looks_like_jpeg(const uint8_t* data, size_t size) {
  return size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

Image decode_jpeg(const uint8_t* data, size_t size, const std::string& name,
                  const DecodeLimits& limits) {
  jpeg_decompress_struct cinfo{};
  JpegErrorManager errors{};
  cinfo.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = on_jpeg_error;
  errors.base.emit_message = on_jpeg_message;
  struct Cleanup {
    jpeg_decompress_struct* cinfo;
    ~Cleanup() { jpeg_destroy_decompress(cinfo); }
  } cleanup{&cinfo};

  if (!read_header_guarded(&cinfo, data, size)) {
    image_error(name, std::string("corrupt or truncated JPEG (") + errors.message + ")");
  }
  if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    image_error(name, "CMYK JPEG is not supported (convert it to RGB first)");
  }
  // Saved markers live in libjpeg's image pool, which jpeg_finish_decompress frees: read now.
  int orientation = find_exif_orientation(cinfo);
  bool grey = cinfo.num_components == 1;
  cinfo.out_color_space = grey ? JCS_GRAYSCALE : JCS_RGB;
  int channels = grey ? 1 : 3;
  Image stored = allocate_image(static_cast<int>(cinfo.image_width),
                                static_cast<int>(cinfo.image_height), channels, 8, limits, name);
  size_t row_bytes = static_cast<size_t>(stored.width) * static_cast<size_t>(channels);
  if (!decompress_guarded(&cinfo, stored.samples8.data(), row_bytes)) {
    image_error(name, std::string("corrupt or truncated JPEG (") + errors.message + ")");
  }
  if (errors.hit_end_of_data) image_error(name, "truncated JPEG (data ends before the image does)");
  return orientation == 1 ? stored : apply_exif_orientation(stored, orientation);
}

}  // namespace infera
