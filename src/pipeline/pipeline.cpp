// Pipeline: finding and checking the spec, and preprocessing one image. Batches and the
// decode workers are in pipeline_stream.cpp, test-time augmentation views in pipeline_tta.cpp.
#include "infera/pipeline.h"

#include <algorithm>
#include <filesystem>

namespace infera {
namespace {

std::string size_text(int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

PipelineSpec find_pipeline_spec(const std::string& model_path, const Session& session,
                                const std::string& spec) {
  if (!spec.empty()) return load_pipeline_spec(spec);
  const std::filesystem::path model(model_path);
  const std::filesystem::path beside =
      model.parent_path() / (model.stem().string() + ".pipeline.json");
  if (std::filesystem::exists(beside)) return load_pipeline_spec(beside.string());
  for (const auto& [key, value] : session.info().metadata)
    if (key == "infera.pipeline")
      return parse_pipeline_spec(value, model.parent_path().string(),
                                 model_path + " metadata 'infera.pipeline'");
  std::string presets;
  for (const std::string& name : pipeline_preset_names()) presets += " " + name;
  throw Error(ErrorKind::kInvalidArgument,
              "no pipeline spec for " + model_path + ": put " + beside.filename().string() +
                  " beside it, embed one under the ONNX metadata key 'infera.pipeline', or pass "
                  "--pipeline FILE|PRESET (presets:" +
                  presets + ")");
}

Pipeline Pipeline::load(const std::string& model_path, const std::string& spec,
                        const SessionOptions& options) {
  Session session = Session::load(model_path, options);
  PipelineSpec found = find_pipeline_spec(model_path, session, spec);
  Pipeline pipeline(std::move(session), std::move(found));
  pipeline.model_path_ = model_path;
  return pipeline;
}

Pipeline::Pipeline(Session session, PipelineSpec spec)
    : session_(std::move(session)), spec_(std::move(spec)) {
  if (session_.inputs().size() != 1 || session_.outputs().empty())
    throw Error(ErrorKind::kInvalidArgument, "pipelines feed models with one input; this one has " +
                                                 std::to_string(session_.inputs().size()));
  validate_spec_against_model(spec_, session_.inputs()[0], session_.outputs()[0]);
}

namespace {

// The spec's colour conversion and resize: what the crops are cut from.
Image convert_and_resize_image(const Image& image, const PipelineSpec& spec) {
  Image out = convert_channels(image, spec.channels);
  const ResizeStep& resize = spec.preprocess.resize;
  if (resize.enabled && resize.shorter_side > 0) {
    out = resize_shorter_side(out, resize.shorter_side, resize.filter);
  } else if (resize.enabled) {
    const int width = resize.width > 0 ? resize.width : spec.width;
    const int height = resize.height > 0 ? resize.height : spec.height;
    // Pillow returns a copy when the size already matches; so do we.
    if (out.width != width || out.height != height)
      out = resize_image(out, width, height, resize.filter);
  }
  return out;
}

}  // namespace

Image preprocess_image(const Image& image, const PipelineSpec& spec) {
  const PreprocessSpec& pre = spec.preprocess;
  Image out = convert_and_resize_image(image, spec);
  if (pre.crop_width > 0) out = center_crop(out, pre.crop_width, pre.crop_height);
  if (pre.pad[0] || pre.pad[1] || pre.pad[2] || pre.pad[3])
    out = pad_image(out, pre.pad[0], pre.pad[1], pre.pad[2], pre.pad[3]);
  if (out.width != spec.width || out.height != spec.height)
    throw Error(ErrorKind::kInvalidArgument,
                "the image is " + size_text(image.width, image.height) + ", " +
                    size_text(out.width, out.height) +
                    " after preprocessing, but the model takes " +
                    size_text(spec.width, spec.height) + " (add a resize or crop to the spec)");
  return out;
}

TensorOptions pipeline_tensor_options(const PipelineSpec& spec) {
  TensorOptions options;
  options.scale = spec.preprocess.scale;
  options.mean = spec.preprocess.mean;
  options.std = spec.preprocess.std;
  options.bgr = spec.preprocess.color == ColorOrder::kBgr;
  options.channels_last = spec.layout == TensorLayout::kNHWC;
  return options;
}

Image Pipeline::convert_and_resize(const Image& image) const {
  return convert_and_resize_image(image, spec_);
}

Image Pipeline::preprocess(const Image& image) const {
  return preprocess_image(image, spec_);
}

TensorOptions Pipeline::tensor_options() const {
  return pipeline_tensor_options(spec_);
}

void Pipeline::require_single_view(const std::string& what) const {
  if (views_per_image() > 1)
    throw Error(ErrorKind::kUnsupported,
                what +
                    " runs one view per record, but the pipeline spec asks for test-time "
                    "augmentation (" +
                    std::to_string(views_per_image()) +
                    " views): TTA is applied by `infera predict FILE...`; remove \"tta\" from the "
                    "spec here");
}

std::vector<Prediction> Pipeline::predict_tensor(const Tensor& batch) const {
  const Tensor output = session_.run(std::vector<Tensor>{batch})[0];
  const int64_t rows = batch.dim(0);
  const int64_t per_row = rows ? output.numel() / rows : 0;
  std::vector<Prediction> out;
  out.reserve(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    out.push_back(postprocess_row(output.data<float>() + r * per_row, per_row, spec_));
    out.back().source = "row " + std::to_string(r);
  }
  return out;
}

}  // namespace infera
