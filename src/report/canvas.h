// A drawing surface for the report's figures: a thin owner of a cairo image surface with the
// few operations the figures need (rectangles, lines, dots, text, images) and PNG output.
//
//   Canvas canvas(640, 480);                          // white, pixels are the unit
//   canvas.text("accuracy", {320, 20}, {.size = 18, .align = TextAlign::kCenter});
//   canvas.fill_rect({10, 40, 100, 50}, kBlack);
//   canvas.write_png("figure.png");
//
// Text uses cairo's toy font API with DejaVu Sans (Debian fonts-dejavu-core), found through
// fontconfig; docs/DECISIONS.md says why not pango.
#pragma once

#include <cstdint>
#include <string>

#include "pipeline/image.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;

namespace infera::report {

struct Color {
  double r = 0, g = 0, b = 0;  // each in [0, 1]
};
inline constexpr Color kBlack{0, 0, 0};
inline constexpr Color kWhite{1, 1, 1};
inline constexpr Color kGrey{0.55, 0.55, 0.55};
inline constexpr Color kLightGrey{0.88, 0.88, 0.88};
inline constexpr Color kWrongRed{0.85, 0.05, 0.05};
inline constexpr Color kBarBlue{0.20, 0.45, 0.75};

// Relative luminance (sRGB weights): decides whether text on a colour should be black or white.
double luminance(Color c);

struct Point {
  double x = 0, y = 0;
};
struct Rect {
  double x = 0, y = 0, width = 0, height = 0;
  Point center() const { return {x + width / 2, y + height / 2}; }
  bool contains(Point p) const {
    return p.x >= x && p.x < x + width && p.y >= y && p.y < y + height;
  }
};

enum class TextAlign { kLeft, kCenter, kRight };

struct TextStyle {
  double size = 14;  // pixels
  TextAlign align = TextAlign::kLeft;
  bool bold = false;
  Color color = kBlack;
  bool vertical = false;  // rotated a quarter turn anticlockwise: reads bottom to top
};

class Canvas {
 public:
  Canvas(int width, int height, Color background = kWhite);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }

  void fill_rect(const Rect& r, Color c);
  void stroke_rect(const Rect& r, Color c, double line_width);
  void line(Point a, Point b, Color c, double line_width, bool dashed = false);
  void dot(Point center, double radius, Color c);

  // `anchor` is the middle of the text's height at its left edge, centre or right edge.
  void text(const std::string& utf8, Point anchor, const TextStyle& style);
  double text_width(const std::string& utf8, const TextStyle& style);
  // The largest size up to `style.size` at which `utf8` fits in `max_width` pixels.
  double fitting_size(const std::string& utf8, const TextStyle& style, double max_width);

  // `image` (8-bit grey, grey+alpha, RGB or RGBA, top row first) scaled with nearest neighbour
  // to fill `target`, so a 28x28 digit stays crisp at any size.
  void draw_image(const Image& image, const Rect& target);

  // Throws Error(kIo) naming `path` when cairo cannot write it.
  void write_png(const std::string& path);

 private:
  void select_font(const TextStyle& style);

  int width_, height_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

}  // namespace infera::report
