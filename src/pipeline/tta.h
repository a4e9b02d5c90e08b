// Test-time augmentation: the image operations that make views (mirror, torchvision's
// FiveCrop) and the merge of the views' outputs into one row. Pipeline builds the views from
// the spec's `tta` and runs them through the model together (docs/PIPELINE.md).
//
//   std::vector<Image> crops = five_crop(resized, 224, 224);  // tl, tr, bl, br, center
//   std::vector<float> row = merge_tta_outputs(outputs, 10, 1000, spec);
//   Prediction p = postprocess_row(row.data(), 1000, spec, activation_after_tta_merge(spec));
#pragma once

#include <cstdint>
#include <vector>

#include "pipeline/image.h"
#include "pipeline/spec.h"

namespace infera {

// Left and right swapped (torchvision hflip).
Image flip_horizontal(const Image& image);

// torchvision FiveCrop((height, width)): top-left, top-right, bottom-left, bottom-right, then
// the center crop. An image smaller than the crop is an Error naming both sizes, as
// torchvision refuses it.
std::vector<Image> five_crop(const Image& image, int width, int height);

// `rows` holds `views` rows of `count` raw model outputs for one image. Probability merges
// apply the spec's activation to each view first (a one-logit binary model gets sigmoid, as
// postprocess_row gives it); mean_logits averages the raw outputs. Sums are in double.
std::vector<float> merge_tta_outputs(const float* rows, int views, int64_t count,
                                     const PipelineSpec& spec);
// What postprocess_row must still apply to the merged row: nothing after a probability merge.
Activation activation_after_tta_merge(const PipelineSpec& spec);

}  // namespace infera
