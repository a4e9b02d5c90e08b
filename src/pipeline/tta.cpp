// Test-time augmentation views and merges; Pipeline (pipeline_tta.cpp) puts them together.
#include "pipeline/tta.h"

#include <algorithm>
#include <utility>

#include "pipeline/postprocess.h"
#include "pipeline/preprocess.h"

namespace infera {
namespace {

constexpr std::pair<const char*, TtaMode> kModes[] = {{"none", TtaMode::kNone},
                                                      {"flip", TtaMode::kFlip},
                                                      {"five_crop", TtaMode::kFiveCrop},
                                                      {"ten_crop", TtaMode::kTenCrop},
                                                      {"multi_scale", TtaMode::kMultiScale}};
constexpr std::pair<const char*, TtaMerge> kMerges[] = {
    {"mean_probabilities", TtaMerge::kMeanProbabilities},
    {"max_probabilities", TtaMerge::kMaxProbabilities},
    {"mean_logits", TtaMerge::kMeanLogits}};

template <class Table>
std::string names_of(const Table& table) {
  std::string list;
  for (const auto& [name, value] : table) list += std::string(list.empty() ? "" : ", ") + name;
  return list;
}

template <class Table>
auto find_by_name(const Table& table, const std::string& name, const char* what) {
  for (const auto& [known, value] : table)
    if (name == known) return value;
  throw Error(ErrorKind::kInvalidArgument,
              std::string(what) + " must be one of " + names_of(table) + ", got \"" + name + "\"");
}

template <class Sample>
void mirror_rows(const std::vector<Sample>& from, std::vector<Sample>& to, int width, int height,
                 int channels) {
  const size_t c = static_cast<size_t>(channels);
  for (int y = 0; y < height; ++y) {
    const size_t row = static_cast<size_t>(y) * static_cast<size_t>(width) * c;
    for (int x = 0; x < width; ++x) {
      const size_t mirrored = row + static_cast<size_t>(width - 1 - x) * c;
      std::copy_n(from.begin() + static_cast<std::ptrdiff_t>(row + static_cast<size_t>(x) * c), c,
                  to.begin() + static_cast<std::ptrdiff_t>(mirrored));
    }
  }
}

}  // namespace

int tta_view_count(const TtaSpec& tta) {
  switch (tta.mode) {
    case TtaMode::kNone:
      return 1;
    case TtaMode::kFlip:
      return 2;
    case TtaMode::kFiveCrop:
      return 5;
    case TtaMode::kTenCrop:
      return 10;
    case TtaMode::kMultiScale:
      return static_cast<int>(std::max<size_t>(tta.scales.size(), 1));
  }
  return 1;
}

bool is_tta_mode(const std::string& name) {
  return std::any_of(std::begin(kModes), std::end(kModes),
                     [&](const auto& mode) { return name == mode.first; });
}
TtaMode parse_tta_mode(const std::string& name) {
  return find_by_name(kModes, name, "tta mode");
}
std::string tta_mode_names() {
  return names_of(kModes);
}
const char* tta_mode_name(TtaMode mode) {
  for (const auto& [name, value] : kModes)
    if (value == mode) return name;
  return "?";
}

bool is_tta_merge(const std::string& name) {
  return std::any_of(std::begin(kMerges), std::end(kMerges),
                     [&](const auto& merge) { return name == merge.first; });
}
TtaMerge parse_tta_merge(const std::string& name) {
  return find_by_name(kMerges, name, "tta merge");
}
std::string tta_merge_names() {
  return names_of(kMerges);
}

Image flip_horizontal(const Image& image) {
  Image out = image;
  if (image.bit_depth == 16)
    mirror_rows(image.samples16, out.samples16, image.width, image.height, image.channels);
  else
    mirror_rows(image.samples8, out.samples8, image.width, image.height, image.channels);
  return out;
}

std::vector<Image> five_crop(const Image& image, int width, int height) {
  if (width > image.width || height > image.height)
    throw Error(ErrorKind::kInvalidArgument,
                "five-crop: a " + std::to_string(width) + "x" + std::to_string(height) +
                    " crop does not fit the " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " resized image");
  const int right = image.width - width, bottom = image.height - height;
  return {crop_image(image, 0, 0, width, height), crop_image(image, right, 0, width, height),
          crop_image(image, 0, bottom, width, height),
          crop_image(image, right, bottom, width, height), center_crop(image, width, height)};
}

std::vector<float> merge_tta_outputs(const float* rows, int views, int64_t count,
                                     const PipelineSpec& spec) {
  const TtaMerge merge = spec.tta.merge;
  Activation per_view = merge == TtaMerge::kMeanLogits ? Activation::kNone : spec.activation;
  if (spec.task == Task::kBinary && count == 1 && per_view != Activation::kNone)
    per_view = Activation::kSigmoid;
  std::vector<double> merged(static_cast<size_t>(count),
                             merge == TtaMerge::kMaxProbabilities ? -1e300 : 0.0);
  std::vector<float> view;
  for (int v = 0; v < views; ++v) {
    view.assign(rows + v * count, rows + (v + 1) * count);
    if (per_view == Activation::kSoftmax) softmax_in_place(view);
    if (per_view == Activation::kSigmoid) sigmoid_in_place(view);
    for (size_t i = 0; i < view.size(); ++i)
      merged[i] = merge == TtaMerge::kMaxProbabilities ? std::max(merged[i], double(view[i]))
                                                       : merged[i] + view[i];
  }
  std::vector<float> out(merged.size());
  for (size_t i = 0; i < merged.size(); ++i)
    out[i] =
        static_cast<float>(merge == TtaMerge::kMaxProbabilities ? merged[i] : merged[i] / views);
  return out;
}

Activation activation_after_tta_merge(const PipelineSpec& spec) {
  return spec.tta.merge == TtaMerge::kMeanLogits ? spec.activation : Activation::kNone;
}

}  // namespace infera
