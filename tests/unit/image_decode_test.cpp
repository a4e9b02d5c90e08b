// Decoded pixels against Pillow's: each tests/fixtures/images/NAME.EXT has NAME.npy written by
// tests/fixtures/make_image_fixtures.py (see there for where each expected array comes from).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "infera/error.h"
#include "io/npy.h"
#include "pipeline/image.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

const fs::path kImages = fs::path(__FILE__).parent_path().parent_path() / "fixtures" / "images";

// Decodes NAME.EXT and requires every sample within `tolerance` of NAME.npy.
void expect_matches_pillow(const std::string& file, int tolerance = 0) {
  SCOPED_TRACE(file);
  fs::path path = kImages / file;
  Image image = read_image_file(path.string());
  Tensor expected = read_npy(path.replace_extension(".npy").string());
  int expected_channels = expected.rank() == 3 ? static_cast<int>(expected.dim(2)) : 1;
  ASSERT_EQ(image.height, expected.dim(0));
  ASSERT_EQ(image.width, expected.dim(1));
  ASSERT_EQ(image.channels, expected_channels);
  ASSERT_EQ(image.bit_depth, expected.dtype() == DType::kUInt16 ? 16 : 8);
  int worst = 0;
  for (size_t i = 0; i < image.sample_count(); ++i) {
    int want = expected.dtype() == DType::kUInt16 ? expected.data<uint16_t>()[i]
                                                  : expected.data<uint8_t>()[i];
    int got = image.bit_depth == 16 ? image.samples16[i] : image.samples8[i];
    worst = std::max(worst, std::abs(want - got));
  }
  EXPECT_LE(worst, tolerance);
}

// The error message must name the file and contain `problem`.
void expect_refused(const std::string& file, const std::string& problem,
                    const DecodeLimits& limits = {}) {
  SCOPED_TRACE(file);
  std::string path = (kImages / file).string();
  try {
    read_image_file(path, limits);
    FAIL() << "decoded a broken file";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(ImageDecode, EveryPngVariant) {
  for (const char* name :
       {"png_grey1", "png_grey2", "png_grey4", "png_grey8", "png_grey16", "png_ga8", "png_ga16",
        "png_rgb8", "png_rgb16", "png_rgba8", "png_rgba16", "png_palette4", "png_palette8",
        "png_palette_trns", "png_rgb_trns", "png_grey_trns", "png_interlaced_rgb8",
        "png_interlaced_grey16", "png_pillow_rgb"}) {
    expect_matches_pillow(std::string(name) + ".png");
  }
}

TEST(ImageDecode, JpegMatchesPillowsLibjpeg) {
  for (const char* name : {"jpeg_baseline", "jpeg_progressive", "jpeg_444", "jpeg_grey"}) {
    expect_matches_pillow(std::string(name) + ".jpg", 1);
  }
}

TEST(ImageDecode, JpegExifOrientationIsApplied) {
  for (int orientation = 1; orientation <= 8; ++orientation) {
    expect_matches_pillow("jpeg_exif_" + std::to_string(orientation) + ".jpg", 1);
  }
}

TEST(ImageDecode, NetpbmPlainAndRawAnyMaxval) {
  for (const char* name : {"pnm_p5.pgm", "pnm_p6.ppm", "pnm_p5_16.pgm", "pnm_p2_1000.pgm",
                           "pnm_p3_100.ppm", "pnm_p6_4095.ppm"}) {
    expect_matches_pillow(name);
  }
}

TEST(ImageDecode, BmpVariants) {
  for (const char* name :
       {"bmp_24", "bmp_24_top_down", "bmp_32", "bmp_32_alpha", "bmp_8_grey", "bmp_8_palette"}) {
    expect_matches_pillow(std::string(name) + ".bmp");
  }
}

TEST(ImageDecode, FormatComesFromTheBytesNotTheName) {
  // bad_not_image.png is text; a PNG renamed .jpg must still decode as PNG.
  expect_refused("bad_not_image.png", "not an image");
  fs::path renamed = fs::temp_directory_path() / "infera_png_named.jpg";
  fs::copy_file(kImages / "png_rgb8.png", renamed, fs::copy_options::overwrite_existing);
  EXPECT_EQ(read_image_file(renamed.string()).channels, 3);
  fs::remove(renamed);
}

TEST(ImageDecode, BrokenFilesAreRefusedWithOneLine) {
  expect_refused("bad_truncated.png", "truncated");
  expect_refused("bad_corrupt.png", "corrupt");
  expect_refused("bad_truncated.jpg", "truncated");
  expect_refused("bad_truncated.ppm", "truncated");
  expect_refused("bad_cmyk.jpg", "CMYK");
}

TEST(ImageDecode, EmptyInputIsRefused) {
  EXPECT_THROW(decode_image(nullptr, 0, "empty.png", {}), Error);
  fs::path empty = fs::temp_directory_path() / "infera_empty.png";
  { std::ofstream touch(empty); }
  try {
    read_image_file(empty.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
  fs::remove(empty);
}

TEST(ImageDecode, ZeroSizeHeaderIsRefused) {
  const std::string pgm = "P5 0 3 255\n";
  EXPECT_THROW(decode_image(reinterpret_cast<const uint8_t*>(pgm.data()), pgm.size(), "z.pgm", {}),
               Error);
}

TEST(ImageDecode, DecompressionBombIsRefusedBeforeAllocating) {
  expect_refused("bad_bomb.png", "decompression bomb");
  expect_refused("bad_bomb.jpg", "decompression bomb");
  DecodeLimits tight;
  tight.max_pixels = 100;
  expect_refused("jpeg_baseline.jpg", "more than the limit of 100", tight);
  expect_refused("pnm_p6.ppm", "decompression bomb", DecodeLimits{10});
}

TEST(ImageDecode, MissingFileIsAnIoError) {
  try {
    read_image_file((kImages / "no_such_file.png").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
  }
}

}  // namespace
}  // namespace infera
