// Pipeline: decode -> preprocess -> Session::run in batches -> postprocess. A failure in one
// file is that file's answer; it never takes the rest of the batch down with it.
#include "infera/pipeline.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace infera {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string size_text(int width, int height) {
  return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

struct Pipeline::Item {
  std::string path;            // decode from this file, or
  const Image* image = nullptr;  // use this image
  Prediction prediction;
  Image ready;  // preprocessed
};

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
                  "--pipeline FILE|PRESET (presets:" + presets + ")");
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
    throw Error(ErrorKind::kInvalidArgument,
                "pipelines feed models with one input; this one has " +
                    std::to_string(session_.inputs().size()));
  validate_spec_against_model(spec_, session_.inputs()[0], session_.outputs()[0]);
}

Image Pipeline::preprocess(const Image& image) const {
  const PreprocessSpec& pre = spec_.preprocess;
  Image out = convert_channels(image, spec_.channels);
  const ResizeStep& resize = pre.resize;
  if (resize.enabled && resize.shorter_side > 0) {
    out = resize_shorter_side(out, resize.shorter_side, resize.filter);
  } else if (resize.enabled) {
    const int width = resize.width > 0 ? resize.width : spec_.width;
    const int height = resize.height > 0 ? resize.height : spec_.height;
    // Pillow returns a copy when the size already matches; so do we.
    if (out.width != width || out.height != height) out = resize_image(out, width, height, resize.filter);
  }
  if (pre.crop_width > 0) out = center_crop(out, pre.crop_width, pre.crop_height);
  if (pre.pad[0] || pre.pad[1] || pre.pad[2] || pre.pad[3])
    out = pad_image(out, pre.pad[0], pre.pad[1], pre.pad[2], pre.pad[3]);
  if (out.width != spec_.width || out.height != spec_.height)
    throw Error(ErrorKind::kInvalidArgument,
                "the image is " + size_text(image.width, image.height) + ", " +
                    size_text(out.width, out.height) + " after preprocessing, but the model takes " +
                    size_text(spec_.width, spec_.height) + " (add a resize or crop to the spec)");
  return out;
}

TensorOptions Pipeline::tensor_options() const {
  TensorOptions options;
  options.scale = spec_.preprocess.scale;
  options.mean = spec_.preprocess.mean;
  options.std = spec_.preprocess.std;
  options.bgr = spec_.preprocess.color == ColorOrder::kBgr;
  options.channels_last = spec_.layout == TensorLayout::kNHWC;
  return options;
}

void Pipeline::run_batch(std::vector<Item>& items, size_t begin, size_t end) const {
  std::vector<Item*> ready;
  for (size_t i = begin; i < end; ++i) {
    Item& item = items[i];
    Prediction& p = item.prediction;
    try {
      auto start = Clock::now();
      Image decoded = item.image ? Image() : read_image_file(item.path, decode_limits_);
      const Image& image = item.image ? *item.image : decoded;
      p.timings.decode_ms = ms_since(start);
      p.image_width = image.width, p.image_height = image.height, p.image_channels = image.channels;
      start = Clock::now();
      item.ready = preprocess(image);
      p.timings.preprocess_ms = ms_since(start);
      ready.push_back(&item);
    } catch (const Error& e) {
      p.error = e.what();
    }
  }
  if (ready.empty()) return;
  std::vector<Image> images;
  for (Item* item : ready) images.push_back(std::move(item->ready));
  // A model whose batch dimension is fixed gets exactly that many: pad with the last image.
  const TensorInfo& input = session_.inputs()[0];
  if (input.has_shape && input.shape[0] > 0)
    while (static_cast<int64_t>(images.size()) < input.shape[0]) images.push_back(images.back());
  const Tensor batch = images_to_tensor(images, tensor_options());
  Shape one = batch.shape();
  one[0] = 1;
  auto start = Clock::now();
  const Tensor output = session_.run(std::vector<Tensor>{batch})[0];
  const double inference_ms = ms_since(start);
  const int64_t per_row = output.numel() / batch.dim(0);
  for (size_t r = 0; r < ready.size(); ++r) {
    Prediction& p = ready[r]->prediction;
    start = Clock::now();
    Prediction answer = postprocess_row(output.data<float>() + static_cast<int64_t>(r) * per_row, per_row, spec_);
    answer.source = p.source;
    answer.image_width = p.image_width, answer.image_height = p.image_height;
    answer.image_channels = p.image_channels;
    answer.timings = p.timings;
    answer.timings.inference_ms = inference_ms;
    answer.timings.postprocess_ms = ms_since(start);
    answer.input_shape.assign(one.begin(), one.end());
    p = std::move(answer);
  }
}

std::vector<Prediction> Pipeline::predict_items(std::vector<Item>& items, int batch_size) const {
  const TensorInfo& input = session_.inputs()[0];
  size_t step = static_cast<size_t>(std::max(batch_size, 1));
  if (input.has_shape && input.shape[0] > 0) step = static_cast<size_t>(input.shape[0]);
  for (size_t begin = 0; begin < items.size(); begin += step) {
    size_t end = std::min(items.size(), begin + step);
    run_batch(items, begin, end);
  }
  std::vector<Prediction> out;
  out.reserve(items.size());
  for (Item& item : items) out.push_back(std::move(item.prediction));
  return out;
}

std::vector<Prediction> Pipeline::predict_files(const std::vector<std::string>& paths,
                                                int batch_size) const {
  std::vector<Item> items(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    items[i].path = paths[i];
    items[i].prediction.source = paths[i];
  }
  return predict_items(items, batch_size);
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

std::vector<Prediction> Pipeline::predict_images(const std::vector<Image>& images,
                                                 int batch_size) const {
  std::vector<Item> items(images.size());
  for (size_t i = 0; i < images.size(); ++i) {
    items[i].image = &images[i];
    items[i].prediction.source = "image " + std::to_string(i);
  }
  return predict_items(items, batch_size);
}

}  // namespace infera
