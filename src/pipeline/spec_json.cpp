// PipelineSpec -> JSON: the effective spec written out in full, so that it can be shown
// (`infera pipeline show`) and embedded in a model without depending on a preset or a labels
// file. Reading the text back with parse_pipeline_spec gives the same spec.
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "pipeline/spec.h"

namespace infera {
namespace {

using json = nlohmann::ordered_json;

// The shortest decimal that reads back as the same float: 0.485f is written "0.485", not
// "0.48500001430511475".
double shortest(float value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text - 1, value);
  *result.ptr = '\0';
  return std::strtod(text, nullptr);
}

json numbers(const std::vector<float>& values) {
  json out = json::array();
  for (float v : values) out.push_back(shortest(v));
  return out;
}

const char* filter_name(ResizeFilter filter) {
  switch (filter) {
    case ResizeFilter::kNearest:
      return "nearest";
    case ResizeFilter::kBilinear:
      return "bilinear";
    case ResizeFilter::kBicubic:
      return "bicubic";
  }
  return "bilinear";
}

json preprocess_json(const PreprocessSpec& pre) {
  static const char* const kColors[] = {"grey", "rgb", "bgr"};
  static const char* const kScales[] = {"unit", "symmetric", "none"};
  json out = {{"color", kColors[static_cast<int>(pre.color)]}};
  if (pre.resize.enabled) {
    json size = pre.resize.shorter_side > 0 ? json(pre.resize.shorter_side)
                : pre.resize.width > 0      ? json::array({pre.resize.width, pre.resize.height})
                                            : json("input");
    out["resize"] = {{"size", size}, {"filter", filter_name(pre.resize.filter)}};
  }
  if (pre.crop_width > 0) out["center_crop"] = {pre.crop_width, pre.crop_height};
  if (pre.pad[0] || pre.pad[1] || pre.pad[2] || pre.pad[3])
    out["pad"] = {pre.pad[0], pre.pad[1], pre.pad[2], pre.pad[3]};
  out["scale"] = kScales[static_cast<int>(pre.scale)];
  if (!pre.mean.empty()) out["mean"] = numbers(pre.mean);
  if (!pre.std.empty()) out["std"] = numbers(pre.std);
  return out;
}

}  // namespace

std::string pipeline_spec_to_json(const PipelineSpec& spec, int indent) {
  static const char* const kTasks[] = {"multiclass", "binary", "multilabel", "regression"};
  static const char* const kActivations[] = {"softmax", "sigmoid", "none"};
  json input = {{"kind", spec.input_kind == InputKind::kTensor ? "tensor" : "image"}};
  if (spec.width > 0) input["width"] = spec.width;
  if (spec.height > 0) input["height"] = spec.height;
  input["channels"] = spec.channels;
  input["layout"] = spec.layout == TensorLayout::kNCHW ? "NCHW" : "NHWC";
  input["dtype"] = "float32";
  json doc = {{"version", spec.version},
              {"input", input},
              {"preprocess", preprocess_json(spec.preprocess)},
              {"task", kTasks[static_cast<int>(spec.task)]},
              {"activation", kActivations[static_cast<int>(spec.activation)]},
              {"top_k", spec.top_k},
              {"threshold", shortest(spec.threshold)}};
  if (!spec.thresholds.empty()) doc["thresholds"] = numbers(spec.thresholds);
  if (spec.min_confidence != 0.0f) doc["min_confidence"] = shortest(spec.min_confidence);
  if (!spec.labels.empty()) doc["labels"] = spec.labels;
  if (!spec.regression_mean.empty() || !spec.regression_std.empty()) {
    json regression = json::object();
    if (!spec.regression_mean.empty()) regression["mean"] = numbers(spec.regression_mean);
    if (!spec.regression_std.empty()) regression["std"] = numbers(spec.regression_std);
    doc["regression"] = regression;
  }
  return doc.dump(indent);
}

}  // namespace infera
