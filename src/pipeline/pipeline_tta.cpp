// Pipeline's test-time augmentation views: which images one file becomes (spec.tta).
#include "infera/pipeline.h"

namespace infera {

void Pipeline::set_tta(const TtaSpec& tta) {
  PipelineSpec changed = spec_;
  changed.tta = tta;
  check_tta(changed);
  spec_.tta = tta;
}

std::vector<Image> Pipeline::preprocess_views(const Image& image) const {
  const TtaSpec& tta = spec_.tta;
  if (tta.mode == TtaMode::kNone) return {preprocess(image)};
  if (tta.mode == TtaMode::kFlip) {
    Image plain = preprocess(image);
    Image mirrored = flip_horizontal(plain);
    return {std::move(plain), std::move(mirrored)};
  }
  const int* pad = spec_.preprocess.pad;
  const int crop_width = spec_.width - pad[0] - pad[2],
            crop_height = spec_.height - pad[1] - pad[3];
  std::vector<Image> views;
  if (tta.mode == TtaMode::kMultiScale) {
    const Image converted = convert_channels(image, spec_.channels);
    for (int scale : tta.scales)
      views.push_back(
          center_crop(resize_shorter_side(converted, scale, spec_.preprocess.resize.filter),
                      crop_width, crop_height));
  } else {
    // The crops are cut from the image before the spec's own crop and padding.
    const Image base = tta.resize > 0
                           ? resize_shorter_side(convert_channels(image, spec_.channels),
                                                 tta.resize, spec_.preprocess.resize.filter)
                           : convert_and_resize(image);
    views = five_crop(base, crop_width, crop_height);
    if (tta.mode == TtaMode::kTenCrop) {
      std::vector<Image> mirrored = five_crop(flip_horizontal(base), crop_width, crop_height);
      for (Image& view : mirrored) views.push_back(std::move(view));
    }
  }
  if (pad[0] || pad[1] || pad[2] || pad[3])
    for (Image& view : views) view = pad_image(view, pad[0], pad[1], pad[2], pad[3]);
  return views;
}

}  // namespace infera
