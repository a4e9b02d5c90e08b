// Load-time checks of a spec against the model it will feed: a mismatch found here names both
// sides, instead of surfacing later as a shape error deep in the engine.
#include <algorithm>
#include <string>

#include "pipeline/spec.h"

namespace infera {
namespace {

[[noreturn]] void mismatch(const PipelineSpec& spec, const std::string& spec_side,
                           const std::string& model_side) {
  throw Error(ErrorKind::kInvalidArgument, "pipeline spec " + spec.source + " does not fit the model: " +
                                               spec_side + ", but " + model_side);
}

const char* color_name(ColorOrder color) {
  return color == ColorOrder::kGrey ? "grey" : color == ColorOrder::kRgb ? "rgb" : "bgr";
}

void check_spec_alone(const PipelineSpec& spec) {
  const int color_channels = spec.preprocess.color == ColorOrder::kGrey ? 1 : 3;
  if (color_channels != spec.channels)
    throw Error(ErrorKind::kInvalidArgument,
                "pipeline spec " + spec.source + ": preprocess.color \"" +
                    color_name(spec.preprocess.color) + "\" gives " + std::to_string(color_channels) +
                    " channel(s) but input.channels is " + std::to_string(spec.channels));
  for (const auto* values : {&spec.preprocess.mean, &spec.preprocess.std}) {
    const size_t n = values->size();
    if (n > 1 && static_cast<int>(n) != spec.channels)
      throw Error(ErrorKind::kInvalidArgument,
                  "pipeline spec " + spec.source + ": preprocess." +
                      (values == &spec.preprocess.mean ? "mean" : "std") + " has " +
                      std::to_string(n) + " values for " + std::to_string(spec.channels) + " channels");
  }
}

void check_input(PipelineSpec& spec, const TensorInfo& input) {
  const std::string model_side = "model input '" + input.name + "' is " + input.describe();
  if (input.dtype != DType::kFloat32) mismatch(spec, "the pipeline makes float32", model_side);
  if (!input.has_shape) {
    if (spec.width == 0 || spec.height == 0)
      mismatch(spec, "input.width/height are not given", model_side + " with no declared shape");
    return;
  }
  if (input.shape.size() != 4) mismatch(spec, "the pipeline makes a 4-d image batch", model_side);
  const bool nchw = spec.layout == TensorLayout::kNCHW;
  const int64_t c = input.shape[nchw ? 1 : 3], h = input.shape[nchw ? 2 : 1],
                w = input.shape[nchw ? 3 : 2];
  const std::string layout = nchw ? "NCHW" : "NHWC";
  if (c > 0 && c != spec.channels)
    mismatch(spec, "it gives " + std::to_string(spec.channels) + " channel(s) in " + layout,
             model_side + ", " + std::to_string(c) + " channel(s)");
  auto fit = [&](int& side, int64_t model, const char* name) {
    if (side == 0 && model <= 0)
      mismatch(spec, std::string("input.") + name + " is not given", model_side + " (dynamic " + name + ")");
    if (side == 0) side = static_cast<int>(model);
    if (model > 0 && model != side)
      mismatch(spec, std::string("input.") + name + " is " + std::to_string(side),
               model_side + " (" + name + " " + std::to_string(model) + ")");
  };
  fit(spec.width, w, "width");
  fit(spec.height, h, "height");
}

void check_output(const PipelineSpec& spec, const TensorInfo& output) {
  if (spec.task == Task::kRegression || !output.has_shape || output.shape.empty()) return;
  const int64_t classes = output.shape.back();
  if (classes <= 0) return;
  const std::string model_side = "model output '" + output.name + "' is " + output.describe();
  const size_t expected = spec.task == Task::kBinary ? 2 : static_cast<size_t>(classes);
  if (spec.task == Task::kBinary && classes > 2)
    mismatch(spec, "task is binary (1 logit or 2 classes)", model_side);
  if (!spec.labels.empty() && spec.labels.size() != expected)
    mismatch(spec, "it has " + std::to_string(spec.labels.size()) + " labels",
             model_side + " (" + std::to_string(expected) + " classes)");
  if (!spec.thresholds.empty() && spec.thresholds.size() != static_cast<size_t>(classes))
    mismatch(spec, "it has " + std::to_string(spec.thresholds.size()) + " thresholds",
             model_side + " (" + std::to_string(classes) + " labels)");
}

[[noreturn]] void tta_error(const PipelineSpec& spec, const std::string& key,
                            const std::string& problem) {
  throw Error(ErrorKind::kInvalidArgument,
              "pipeline spec " + spec.source + ": '" + key + "' " + problem);
}

}  // namespace

void check_tta(const PipelineSpec& spec) {
  const TtaSpec& tta = spec.tta;
  const std::string mode = std::string("(mode is ") + tta_mode_name(tta.mode) + ")";
  const bool crops = tta.mode == TtaMode::kFiveCrop || tta.mode == TtaMode::kTenCrop;
  if (tta.mode != TtaMode::kMultiScale && !tta.scales.empty())
    tta_error(spec, "tta.scales", "is only used by multi_scale " + mode);
  if (tta.mode == TtaMode::kMultiScale && tta.scales.empty())
    tta_error(spec, "tta.scales", "is missing: multi_scale needs the sizes, e.g. [256, 288, 320]");
  if (!crops && tta.resize > 0)
    tta_error(spec, "tta.resize", "is only used by five_crop and ten_crop " + mode);
  // Views are cropped to the input size less the spec's padding, which is added after.
  const int* pad = spec.preprocess.pad;
  const int crop = std::max(spec.width - pad[0] - pad[2], spec.height - pad[1] - pad[3]);
  std::vector<int> sizes = tta.scales;
  if (tta.resize > 0) sizes.push_back(tta.resize);
  for (int size : sizes)
    if (size < crop)
      tta_error(spec, tta.resize > 0 ? "tta.resize" : "tta.scales",
                "has " + std::to_string(size) + ", smaller than the " + std::to_string(crop) +
                    "-pixel crop the model's input needs");
}

void validate_spec_against_model(PipelineSpec& spec, const TensorInfo& input,
                                 const TensorInfo& output) {
  check_spec_alone(spec);
  if (spec.input_kind == InputKind::kImage) check_input(spec, input);
  check_output(spec, output);
  check_tta(spec);
}

}  // namespace infera
