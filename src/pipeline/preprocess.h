// Preprocessing: decoded Image -> float32 tensor, matching what torchvision does to a PIL image
// so a model sees the numbers it was trained on.
//
//   Image img = read_image_file("cat.jpg");
//   img = convert_channels(img, 3);                          // PIL .convert("RGB")
//   img = resize_shorter_side(img, 256, ResizeFilter::kBilinear);  // T.Resize(256)
//   img = center_crop(img, 224, 224);                        // T.CenterCrop(224)
//   TensorOptions opts;                                      // T.ToTensor() + T.Normalize(...)
//   opts.mean = {0.485f, 0.456f, 0.406f};
//   opts.std = {0.229f, 0.224f, 0.225f};
//   Tensor x = images_to_tensor({img}, opts);                // [1, 3, 224, 224] float32
//
// Resizing reproduces Pillow's Image.resize exactly on 8-bit images: the same filter windows
// (widened by the scale when downscaling, i.e. antialiased), coefficients rounded to 22-bit
// fixed point, horizontal pass then vertical, each rounded and clipped to 8 bits.
#pragma once

#include <vector>

#include "infera/tensor.h"
#include "pipeline/image.h"

namespace infera {

enum class ResizeFilter { kNearest, kBilinear, kBicubic };

// Pillow's Image.resize((width, height), filter).
Image resize_image(const Image& image, int width, int height, ResizeFilter filter);
// torchvision Resize(size) with an int: the shorter side becomes `size`, the longer
// int(size * long / short), as Python computes it.
Image resize_shorter_side(const Image& image, int size, ResizeFilter filter);

// The width x height window whose top-left corner is (left, top); it must lie inside.
Image crop_image(const Image& image, int left, int top, int width, int height);
// torchvision CenterCrop: offsets round((in - out) / 2) half to even; an image smaller than
// the crop is first padded with zeros as torchvision does.
Image center_crop(const Image& image, int width, int height);
// Adds borders filled with `fill` in every channel.
Image pad_image(const Image& image, int left, int top, int right, int bottom, uint16_t fill = 0);

// To 1 (grey) or 3 (RGB) channels as Pillow's convert("L") / convert("RGB") do: alpha is
// dropped, grey is replicated, colour becomes ITU-R 601-2 luma in Pillow's fixed point.
Image convert_channels(const Image& image, int channels);

enum class PixelScale {
  kUnit,       // v / max: [0, 1], torchvision ToTensor
  kSymmetric,  // v / max * 2 - 1: [-1, 1], Keras "tf" mode
  kRaw,        // v as is: [0, 255], Keras "caffe" mode
};

struct TensorOptions {
  PixelScale scale = PixelScale::kUnit;
  // Per channel, in the output channel order, applied after scaling: (x - mean) / std.
  // Empty means 0 and 1; a single value applies to every channel.
  std::vector<float> mean;
  std::vector<float> std;
  bool bgr = false;            // reverse RGB to BGR (caffe-trained models)
  bool channels_last = false;  // NHWC instead of NCHW
};

// Stacks same-sized images into one float32 batch tensor, [N, C, H, W] or [N, H, W, C].
Tensor images_to_tensor(const std::vector<Image>& images, const TensorOptions& options);

}  // namespace infera
