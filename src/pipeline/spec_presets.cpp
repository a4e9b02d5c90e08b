// Presets for the conventions users already know. Each says where its numbers come from.
#include "pipeline/spec_presets.h"

#include <utility>

#include "infera/error.h"
#include "pipeline/spec.h"

namespace infera {
namespace {

const std::vector<std::pair<std::string, std::string>>& presets() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      // torchvision's ImageNet evaluation transform: Resize(256), CenterCrop(224), ToTensor(),
      // Normalize(mean, std).
      {"torchvision-imagenet", R"({"version": 1,
        "input": {"kind": "image", "width": 224, "height": 224, "channels": 3, "layout": "NCHW"},
        "preprocess": {"color": "rgb", "resize": {"size": 256, "filter": "bilinear"},
                       "center_crop": [224, 224], "scale": "unit",
                       "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "task": "multiclass", "activation": "softmax", "top_k": 5})"},
      // Keras preprocess_input(mode="tf"): x / 127.5 - 1, RGB, channels last; load_img's
      // default resize to the model's size is nearest-neighbour.
      {"keras-tf", R"({"version": 1,
        "input": {"kind": "image", "channels": 3, "layout": "NHWC"},
        "preprocess": {"color": "rgb", "resize": {"size": "input", "filter": "nearest"},
                       "scale": "symmetric"},
        "task": "multiclass", "activation": "softmax", "top_k": 5})"},
      // Keras preprocess_input(mode="caffe"): RGB -> BGR, subtract the ImageNet BGR means from
      // 0..255 pixels, no scaling.
      {"keras-caffe", R"({"version": 1,
        "input": {"kind": "image", "channels": 3, "layout": "NHWC"},
        "preprocess": {"color": "bgr", "resize": {"size": "input", "filter": "nearest"},
                       "scale": "none", "mean": [103.939, 116.779, 123.68]},
        "task": "multiclass", "activation": "softmax", "top_k": 5})"},
      // MNIST-style models: 28x28 grey, ToTensor() into [0, 1].
      {"mnist", R"({"version": 1,
        "input": {"kind": "image", "width": 28, "height": 28, "channels": 1, "layout": "NCHW"},
        "preprocess": {"color": "grey", "resize": {"size": [28, 28], "filter": "bilinear"},
                       "scale": "unit"},
        "task": "multiclass", "activation": "softmax", "top_k": 3})"},
  };
  return table;
}

}  // namespace

std::string pipeline_preset_json(const std::string& name) {
  for (const auto& [preset, text] : presets())
    if (preset == name) return text;
  throw Error(ErrorKind::kInvalidArgument, "no pipeline preset named '" + name + "'");
}

bool is_pipeline_preset(const std::string& name) {
  for (const auto& entry : presets())
    if (entry.first == name) return true;
  return false;
}

std::vector<std::string> pipeline_preset_names() {
  std::vector<std::string> names;
  for (const auto& entry : presets()) names.push_back(entry.first);
  return names;
}

}  // namespace infera
