// Preprocessing steps on hand-made images; Pillow/torchvision parity on real photographs is in
// preprocess_parity_test.cpp.
#include "pipeline/preprocess.h"

#include <gtest/gtest.h>

#include "infera/error.h"

namespace infera {
namespace {

// A width x height image whose sample (x, y, c) is x + 10 * y + 100 * c.
Image numbered(int width, int height, int channels) {
  Image image = allocate_image(width, height, channels, 8, {}, "test");
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c)
        image.samples8[(static_cast<size_t>(y) * width + x) * channels + c] =
            static_cast<uint8_t>(x + 10 * y + 100 * c);
  return image;
}

uint8_t at(const Image& image, int x, int y, int c = 0) {
  return image.samples8[(static_cast<size_t>(y) * image.width + x) * image.channels + c];
}

TEST(Preprocess, ShorterSideKeepsAspectRatioAsTorchvision) {
  Image wide = resize_shorter_side(numbered(300, 200, 1), 256, ResizeFilter::kBilinear);
  EXPECT_EQ(wide.height, 256);
  EXPECT_EQ(wide.width, 384);  // int(256 * 300 / 200)
  Image tall = resize_shorter_side(numbered(7, 9, 1), 5, ResizeFilter::kNearest);
  EXPECT_EQ(tall.width, 5);
  EXPECT_EQ(tall.height, 6);  // int(5 * 9 / 7) = int(6.43)
}

TEST(Preprocess, CenterCropRoundsOffsetsHalfToEven) {
  // (9 - 4) / 2 = 2.5 -> 2 and (8 - 5) / 2 = 1.5 -> 2, as Python's round().
  Image cropped = center_crop(numbered(9, 8, 1), 4, 5);
  EXPECT_EQ(at(cropped, 0, 0), 2 + 10 * 2);
  // Larger than the image: zero padding, floor half before.
  Image padded = center_crop(numbered(2, 2, 1), 5, 2);
  EXPECT_EQ(padded.width, 5);
  // 3 extra columns: 1 before, 2 after.
  EXPECT_EQ(at(padded, 0, 1), 0);
  EXPECT_EQ(at(padded, 1, 1), 10);
  EXPECT_EQ(at(padded, 2, 1), 11);
  EXPECT_EQ(at(padded, 3, 1), 0);
}

TEST(Preprocess, PadAndCropPlaceTheImage) {
  Image padded = pad_image(numbered(2, 2, 1), 1, 2, 0, 0, 7);
  EXPECT_EQ(padded.width, 3);
  EXPECT_EQ(padded.height, 4);
  EXPECT_EQ(at(padded, 0, 0), 7);
  EXPECT_EQ(at(padded, 2, 3), 11);
  EXPECT_THROW(crop_image(padded, 1, 1, 3, 1), Error);
}

TEST(Preprocess, GreyUsesPillowsFixedPointLuma) {
  Image rgb = allocate_image(1, 1, 3, 8, {}, "t");
  rgb.samples8 = {200, 100, 50};
  // (200 * 19595 + 100 * 38470 + 50 * 7471 + 32768) >> 16 = 124
  EXPECT_EQ(convert_channels(rgb, 1).samples8[0], 124);
  Image back = convert_channels(convert_channels(rgb, 1), 3);
  EXPECT_EQ(back.samples8, (std::vector<uint8_t>{124, 124, 124}));
}

TEST(Preprocess, TensorLayoutOrderScaleAndNormalisation) {
  Image image = allocate_image(2, 1, 3, 8, {}, "t");
  image.samples8 = {255, 0, 51, 0, 255, 102};
  TensorOptions nhwc_bgr;
  nhwc_bgr.channels_last = true;
  nhwc_bgr.bgr = true;
  nhwc_bgr.scale = PixelScale::kRaw;
  nhwc_bgr.mean = {1, 2, 3};
  Tensor t = images_to_tensor({image, image}, nhwc_bgr);
  EXPECT_EQ(t.shape(), (Shape{2, 1, 2, 3}));
  EXPECT_FLOAT_EQ(t.data<float>()[0], 51 - 1);   // B first
  EXPECT_FLOAT_EQ(t.data<float>()[2], 255 - 3);  // R last
  TensorOptions symmetric;
  symmetric.scale = PixelScale::kSymmetric;
  Tensor s = images_to_tensor({image}, symmetric);
  EXPECT_EQ(s.shape(), (Shape{1, 3, 1, 2}));
  EXPECT_FLOAT_EQ(s.data<float>()[0], 1.0f);
  EXPECT_FLOAT_EQ(s.data<float>()[1], -1.0f);
  EXPECT_THROW(images_to_tensor({image, numbered(3, 1, 3)}, {}), Error);
}

TEST(Preprocess, IdentityResizeAndBadSizes) {
  Image image = numbered(4, 3, 2);
  EXPECT_EQ(resize_image(image, 4, 3, ResizeFilter::kBicubic).samples8, image.samples8);
  EXPECT_THROW(resize_image(image, 0, 3, ResizeFilter::kBilinear), Error);
}

}  // namespace
}  // namespace infera
