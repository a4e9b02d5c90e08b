#include "report/canvas.h"

#include <cairo/cairo.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "infera/error.h"

namespace infera::report {

double luminance(Color c) {
  return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
}

Canvas::Canvas(int width, int height, Color background)
    : width_(width),
      height_(height),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)),
      cr_(cairo_create(surface_)) {
  if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorKind::kInternal, "cairo could not make a " + std::to_string(width) + "x" +
                                          std::to_string(height) + " canvas");
  fill_rect({0, 0, static_cast<double>(width), static_cast<double>(height)}, background);
}

Canvas::~Canvas() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::fill_rect(const Rect& r, Color c) {
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_rectangle(cr_, r.x, r.y, r.width, r.height);
  cairo_fill(cr_);
}

void Canvas::stroke_rect(const Rect& r, Color c, double line_width) {
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_set_line_width(cr_, line_width);
  // Inset by half the line so the stroke stays inside `r`.
  const double h = line_width / 2;
  cairo_rectangle(cr_, r.x + h, r.y + h, r.width - line_width, r.height - line_width);
  cairo_stroke(cr_);
}

void Canvas::line(Point a, Point b, Color c, double line_width, bool dashed) {
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_set_line_width(cr_, line_width);
  const double dashes[] = {6.0, 4.0};
  cairo_set_dash(cr_, dashes, dashed ? 2 : 0, 0);
  cairo_move_to(cr_, a.x, a.y);
  cairo_line_to(cr_, b.x, b.y);
  cairo_stroke(cr_);
  cairo_set_dash(cr_, nullptr, 0, 0);
}

void Canvas::dot(Point center, double radius, Color c) {
  cairo_set_source_rgb(cr_, c.r, c.g, c.b);
  cairo_arc(cr_, center.x, center.y, radius, 0, 2 * M_PI);
  cairo_fill(cr_);
}

void Canvas::select_font(const TextStyle& style) {
  cairo_select_font_face(cr_, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         style.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, style.size);
}

double Canvas::text_width(const std::string& utf8, const TextStyle& style) {
  select_font(style);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, utf8.c_str(), &extents);
  return extents.x_advance;
}

double Canvas::fitting_size(const std::string& utf8, const TextStyle& style, double max_width) {
  const double width = text_width(utf8, style);
  // Text width scales linearly with the font size.
  return width <= max_width ? style.size : style.size * max_width / width;
}

void Canvas::text(const std::string& utf8, Point anchor, const TextStyle& style) {
  select_font(style);
  cairo_text_extents_t extents;
  cairo_text_extents(cr_, utf8.c_str(), &extents);
  cairo_font_extents_t font;
  cairo_font_extents(cr_, &font);
  double dx = 0;
  if (style.align == TextAlign::kCenter) dx = -extents.x_advance / 2;
  if (style.align == TextAlign::kRight) dx = -extents.x_advance;
  // Centre on the font's ascent/descent, not this string's ink, so labels in a row line up.
  const double dy = (font.ascent - font.descent) / 2;
  cairo_save(cr_);
  cairo_translate(cr_, anchor.x, anchor.y);
  if (style.vertical) cairo_rotate(cr_, -M_PI / 2);
  cairo_set_source_rgb(cr_, style.color.r, style.color.g, style.color.b);
  cairo_move_to(cr_, dx, dy);
  cairo_show_text(cr_, utf8.c_str());
  cairo_restore(cr_);
}

void Canvas::draw_image(const Image& image, const Rect& target) {
  if (image.bit_depth != 8 || image.channels < 1 || image.channels > 4 || image.width <= 0 ||
      image.height <= 0 || image.samples8.size() != image.sample_count())
    throw Error(ErrorKind::kInvalidArgument,
                "draw_image expects an 8-bit image with 1 to 4 channels, got " +
                    std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                    std::to_string(image.channels) + " at " + std::to_string(image.bit_depth) +
                    " bits");
  const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, image.width);
  std::vector<uint32_t> pixels(static_cast<size_t>(stride / 4) * image.height);
  const int c = image.channels;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      const uint8_t* s = &image.samples8[(static_cast<size_t>(y) * image.width + x) * c];
      const uint32_t r = s[0], g = c >= 3 ? s[1] : s[0], b = c >= 3 ? s[2] : s[0];
      const uint32_t a = c == 2 ? s[1] : c == 4 ? s[3] : 255;
      // cairo's ARGB32 is premultiplied by alpha.
      pixels[static_cast<size_t>(y) * (stride / 4) + x] =
          a << 24 | (r * a / 255) << 16 | (g * a / 255) << 8 | (b * a / 255);
    }
  }
  cairo_surface_t* source =
      cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(pixels.data()),
                                          CAIRO_FORMAT_ARGB32, image.width, image.height, stride);
  cairo_save(cr_);
  cairo_rectangle(cr_, target.x, target.y, target.width, target.height);
  cairo_clip(cr_);
  cairo_translate(cr_, target.x, target.y);
  cairo_scale(cr_, target.width / image.width, target.height / image.height);
  cairo_set_source_surface(cr_, source, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_NEAREST);
  cairo_paint(cr_);
  cairo_restore(cr_);
  cairo_surface_destroy(source);
}

void Canvas::write_png(const std::string& path) {
  cairo_surface_flush(surface_);
  const cairo_status_t status = cairo_surface_write_to_png(surface_, path.c_str());
  if (status != CAIRO_STATUS_SUCCESS)
    throw Error(ErrorKind::kIo, "cannot write " + path + ": " + cairo_status_to_string(status));
}

}  // namespace infera::report
