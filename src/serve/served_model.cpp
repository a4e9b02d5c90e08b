#include "serve/served_model.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "infera/error.h"
#include "infera/pipeline.h"
#include "serve/engine_threads.h"

namespace infera::serve {

namespace fs = std::filesystem;

ModelConfig read_model_config(const std::string& path) {
  ModelConfig config;
  if (!fs::exists(path)) return config;
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kInvalidArgument, path + " is not valid JSON: " + e.what());
  }
  if (!json.is_object())
    throw Error(ErrorKind::kInvalidArgument, path + " must hold a JSON object");
  try {
    for (const auto& [key, value] : json.items()) {
      if (key == "max_batch_size")
        config.batching.max_batch_size = value.get<int>();
      else if (key == "max_queue_delay_us")
        config.batching.max_queue_delay_us = value.get<int64_t>();
      else if (key == "instances")
        config.batching.instances = value.get<int>();
      else if (key == "max_queue_size")
        config.batching.max_queue_size = value.get<size_t>();
      else if (key == "threads")
        config.threads = value.get<int>();
      else if (key == "timeout_ms")
        config.timeout_ms = value.get<int64_t>();
      else if (key == "pipeline")
        config.pipeline = value.get<std::string>();
      else if (key == "warmup" && value.is_boolean())
        config.warmup = value.get<bool>();
      else if (key == "warmup")
        config.warmup_batch_sizes = value.at("batch_sizes").get<std::vector<int64_t>>();
      else
        throw Error(ErrorKind::kInvalidArgument,
                    path + ": unknown key '" + key +
                        "' (known: max_batch_size, max_queue_delay_us, instances, max_queue_size, "
                        "threads, timeout_ms, pipeline, warmup)");
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::kInvalidArgument, path + ": " + e.what());
  }
  if (config.batching.max_batch_size < 0 || config.batching.instances < 1 ||
      config.batching.max_queue_delay_us < 0 || config.batching.max_queue_size < 1)
    throw Error(ErrorKind::kInvalidArgument,
                path +
                    ": max_batch_size and max_queue_delay_us must be >= 0, instances and "
                    "max_queue_size >= 1");
  return config;
}

std::shared_ptr<ServedModel> ServedModel::load(const std::string& model_dir,
                                               const std::string& name,
                                               const std::string& version) {
  ModelConfig config = read_model_config((fs::path(model_dir) / "config.json").string());
  const std::string onnx_path = (fs::path(model_dir) / version / "model.onnx").string();
  SessionOptions options;
  options.threads = config.threads;
  // A request's answer must not depend on what it was batched with, nor on the thread count
  // (deterministic sessions also drop to one thread while another process holds a core).
  options.deterministic = true;
  Session session = Session::load(onnx_path, options);
  std::shared_ptr<ServedModel> model(
      new ServedModel(name, version, std::move(config), std::move(session)));
  const std::string spec =
      model->config_.pipeline.empty() || is_pipeline_preset(model->config_.pipeline)
          ? model->config_.pipeline
          : (fs::path(model_dir) / model->config_.pipeline).string();
  try {
    model->pipeline_spec_ = find_pipeline_spec(onnx_path, model->session_, spec);
    model->labels_ = model->pipeline_spec_->labels;
  } catch (const Error& e) {
    if (!spec.empty()) throw;  // asked for one that cannot be read; without one, no labels
    model->image_pipeline_problem_ = "model '" + name +
                                     "' has no pipeline spec (set \"pipeline\" in its "
                                     "config.json to a spec file or preset): " +
                                     e.what();
  }
  if (model->pipeline_spec_) model->check_image_pipeline();
  if (model->config_.warmup) model->warm_up();
  return model;
}

ServedModel::ServedModel(std::string name, std::string version, ModelConfig config, Session session)
    : name_(std::move(name)),
      version_(std::move(version)),
      config_(std::move(config)),
      session_(std::move(session)) {
  batchable_ = !session_.inputs().empty();
  for (const TensorInfo& input : session_.inputs())
    if (input.kind != "tensor" || !input.has_shape || input.shape.empty() || input.shape[0] != -1)
      batchable_ = false;
  batcher_ = std::make_unique<DynamicBatcher>(session_, config_.batching, batchable_, stats_);
}

void ServedModel::check_image_pipeline() {
  // A spec may only carry labels (a model with several inputs); /v1 predict needs one that fits.
  const auto& inputs = session_.inputs();
  const auto& outputs = session_.outputs();
  if (inputs.size() != 1 || outputs.empty()) {
    image_pipeline_problem_ = "model '" + name_ + "' has " + std::to_string(inputs.size()) +
                              " inputs; image predictions need a model with one";
    return;
  }
  PipelineSpec checked = *pipeline_spec_;
  try {
    validate_spec_against_model(checked, inputs[0], outputs[0]);
    image_pipeline_ = std::move(checked);
  } catch (const Error& e) {
    image_pipeline_problem_ =
        "model '" + name_ + "': its pipeline spec does not fit the model: " + e.what();
  }
}

void ServedModel::warm_up() const {
  // On the engine threads that will run the requests (engine_threads.h): warmed up on the
  // loading thread, a 2-thread model on 2 cores left an OpenMP team there beside the one that
  // serves, and its barriers slept: ResNet-50 batch 8 ran 227.6 ms a batch instead of 191.7.
  EngineThreads::shared().run([this] { warm_up_sessions(); });
}

void ServedModel::warm_up_sessions() const {
  // Runs zeros through every batch size the batcher may form, so each plan is prepared
  // (shape inference, memory planning, oneDNN primitives) before the first request. The
  // largest, what the batcher forms under load, runs until the session has also chosen its
  // thread count: that choice tries one thread for a few runs (ResNet-50 batch 8: four runs
  // of ~0.33 s instead of ~0.2 s), which would otherwise fall on the first requests.
  std::vector<int64_t> sizes = config_.warmup_batch_sizes;
  if (sizes.empty()) {
    const int max_batch = batchable_ ? std::max(1, batcher_->max_batch_size()) : 1;
    for (int64_t size = 1; size <= max_batch; ++size) sizes.push_back(size);
  }
  const int64_t largest = *std::max_element(sizes.begin(), sizes.end());
  for (int64_t size : sizes) {
    std::vector<Tensor> inputs;
    for (const TensorInfo& input : session_.inputs()) {
      if (input.kind != "tensor" || !input.has_shape) return;  // nothing to guess a shape from
      Shape shape = input.shape;
      for (size_t axis = 0; axis < shape.size(); ++axis) {
        if (axis == 0 && batchable_)
          shape[0] = size;
        else if (shape[axis] < 0)
          return;  // a free dimension other than the batch
      }
      inputs.push_back(Tensor::empty(input.dtype, shape));
    }
    if (size == largest || !batchable_)
      session_.warm_up(std::vector<Value>(inputs.begin(), inputs.end()));
    else
      session_.run(inputs);
    if (!batchable_) return;
  }
}

}  // namespace infera::serve
