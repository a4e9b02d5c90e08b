// One model version being served: its Session, its config.json, labels for the
// classification extension, its statistics and its dynamic batcher. Shared by pointer:
// a request holds its model alive, so a reload can swap in a new version while requests on
// the old one finish.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "infera/infera.h"
#include "pipeline/spec.h"
#include "serve/batcher.h"
#include "serve/model_stats.h"

namespace infera::serve {

// DIR/<model>/config.json (docs/SERVING.md lists the keys).
struct ModelConfig {
  BatchingConfig batching;
  int threads = 0;             // engine threads per run; 0: the cores available
  int64_t timeout_ms = 30000;  // a request still queued after this is answered 503
  std::string pipeline;        // spec file (relative to the model folder) or preset
  bool warmup = true;
  std::vector<int64_t> warmup_batch_sizes;  // empty: every size from 1 to max_batch_size
};

// Reads `path`; a missing file gives the defaults. Unknown keys are refused by name.
ModelConfig read_model_config(const std::string& path);

class ServedModel {
 public:
  // Loads DIR/<name>/<version>/model.onnx with the model's config, then warms it up.
  static std::shared_ptr<ServedModel> load(const std::string& model_dir, const std::string& name,
                                           const std::string& version);
  ServedModel(const ServedModel&) = delete;
  ServedModel& operator=(const ServedModel&) = delete;

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const ModelConfig& config() const { return config_; }
  const Session& session() const { return session_; }
  // The pipeline spec from config.json, beside the model or in its metadata, if any.
  const std::optional<PipelineSpec>& pipeline_spec() const { return pipeline_spec_; }
  const std::vector<std::string>& labels() const { return labels_; }
  // The spec checked against this model (sizes filled in), when images can be fed to it
  // through /v1/models/<m>/predict; otherwise image_pipeline_problem() says why not.
  const std::optional<PipelineSpec>& image_pipeline() const { return image_pipeline_; }
  const std::string& image_pipeline_problem() const { return image_pipeline_problem_; }
  bool batchable() const { return batchable_; }
  DynamicBatcher& batcher() { return *batcher_; }
  // Answers the queued requests and stops the batcher (DynamicBatcher::stop).
  void stop_batching() { batcher_->stop(); }
  int max_batch_size() const { return batcher_->max_batch_size(); }
  ModelStats& stats() { return stats_; }

 private:
  ServedModel(std::string name, std::string version, ModelConfig config, Session session);
  void warm_up() const;
  void warm_up_sessions() const;
  void check_image_pipeline();

  std::string name_;
  std::string version_;
  ModelConfig config_;
  Session session_;
  std::optional<PipelineSpec> pipeline_spec_;
  std::vector<std::string> labels_;
  std::optional<PipelineSpec> image_pipeline_;
  std::string image_pipeline_problem_;
  bool batchable_ = false;
  ModelStats stats_;
  std::unique_ptr<DynamicBatcher> batcher_;  // last: its threads use everything above
};

}  // namespace infera::serve
