// Infera pipeline: image files in, trustworthy answers out.
//
// Worked example: classify two files with the bundled Fashion-MNIST model, whose spec
// (models/fashion_mnist/fashion_mnist_cnn.pipeline.json) sits beside it.
//
//   #include <infera/pipeline.h>
//
//   infera::Pipeline pipeline =
//       infera::Pipeline::load("models/fashion_mnist/fashion_mnist_cnn.onnx");
//   for (const infera::Prediction& p : pipeline.predict_files({"boot.png", "bag.png"}, 16)) {
//     if (!p.ok()) { std::cerr << p.source << ": " << p.error << "\n"; continue; }
//     std::cout << p.source << ": " << p.label << " " << p.confidence << "\n";  // "Ankle boot
//     0.98"
//   }
//
// The spec says how a decoded image becomes the model's input tensor (resize, crop, channels,
// scale, mean/std, layout) and how the output becomes a Prediction (activation, top-k,
// thresholds, "unknown", labels); docs/PIPELINE.md describes it. load() finds it, in order:
// the `spec` argument (a file or a preset name such as "torchvision-imagenet"),
// MODEL.pipeline.json beside the model, the ONNX metadata_props key "infera.pipeline". It is
// checked against the model at load, so a spec that cannot fit is refused before any file is
// read. A file that cannot be read or decoded gets a Prediction whose `error` names it; the
// other files still get answers.
//
// Test-time augmentation (spec.tta, or set_tta): each image becomes 2 (flip), 5 or 10 (five /
// ten crop) or one view per scale (multi_scale); all views of a batch's images run in one
// batch, and their outputs merge (mean or max of probabilities, or mean of logits) into one
// Prediction whose `views` says how many were merged:
//
//   infera::TtaSpec tta;
//   tta.mode = infera::TtaMode::kFlip;
//   pipeline.set_tta(tta);
//   pipeline.predict_files({"boot.png"})[0].views;  // 2
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "infera/infera.h"
#include "pipeline/diagnostics.h"
#include "pipeline/image.h"
#include "pipeline/postprocess.h"
#include "pipeline/spec.h"
#include "pipeline/tta.h"

namespace infera {

// How predict_files / predict_stream feed the model.
struct PredictOptions {
  int batch_size = 16;  // images per run of the model; each brings all its TTA views
  // Threads that decode and preprocess the next batches while the model runs the current
  // one; 0 does it all on the calling thread, in turn. The engine's own threads are
  // SessionOptions::threads, so on a small machine one worker is plenty.
  int decode_threads = 1;
  int batches_ahead = 2;  // prepared batches that may wait: memory stays bounded
};

// Where the time went, summed over every image (decode and preprocess run on the workers,
// so they overlap inference; wall_ms is what the caller waited).
struct PredictStats {
  int64_t images = 0, failed = 0, batches = 0, views = 0;
  double wall_ms = 0;
  double decode_ms = 0, preprocess_ms = 0, tensor_ms = 0;      // on the workers
  double inference_ms = 0, postprocess_ms = 0, answer_ms = 0;  // on the calling thread
  double wait_ms = 0;  // the calling thread waiting for a prepared batch
};

class Pipeline {
 public:
  static Pipeline load(const std::string& model_path, const std::string& spec = "",
                       const SessionOptions& options = {});
  // A session and spec already at hand; the spec is validated against the session's model.
  Pipeline(Session session, PipelineSpec spec);

  // One Prediction per path, in order; `batch_size` images per run of the model.
  std::vector<Prediction> predict_files(const std::vector<std::string>& paths,
                                        int batch_size = 16) const;
  // The same for images already decoded; sources are "image 0", "image 1", ...
  std::vector<Prediction> predict_images(const std::vector<Image>& images,
                                         int batch_size = 16) const;
  // Answers each path, in order, through `on_answer` as soon as its batch is done, while
  // workers decode the batches after it (PredictOptions). A file that fails gets an answer
  // whose `error` names the problem; an exception from `on_answer` stops everything.
  using AnswerCallback = std::function<void(const Prediction&)>;
  PredictStats predict_stream(const std::vector<std::string>& paths, const PredictOptions& options,
                              const AnswerCallback& on_answer) const;

  // The same for a batch already in model form ([n, ...], e.g. feature rows): no preprocessing.
  // Sources are "row 0", "row 1", ...
  std::vector<Prediction> predict_tensor(const Tensor& batch) const;
  // Throws Error(kUnsupported) naming `what` when the spec asks for test-time augmentation:
  // for paths that run one view per record (dataset evaluation, `predict --data`), so a "tta"
  // in the spec is refused rather than silently left out.
  void require_single_view(const std::string& what) const;

  // The spec's geometric steps and channel conversion: the image the tensor is made from.
  Image preprocess(const Image& image) const;
  // With test-time augmentation (spec.tta) the views of one image, in the order they are
  // merged; without it, {preprocess(image)}.
  std::vector<Image> preprocess_views(const Image& image) const;
  int views_per_image() const { return tta_view_count(spec_.tta); }
  // Replaces the spec's test-time augmentation; checked like the spec's own (check_tta).
  void set_tta(const TtaSpec& tta);
  TensorOptions tensor_options() const;

  // Warnings about classic mistakes (pipeline/diagnostics.h), one line each. The model checks
  // read the model file again, so a Pipeline built from a Session has none of them.
  // Training-mode Dropout/BatchNormalization:
  std::vector<Diagnostic> model_diagnostics() const;
  // After predicting: the spec's input range against the first layer's training statistics,
  // and varied inputs that all got one class. `images` are decoded inputs behind `answers`
  // (a sample is enough: 16 are used at most).
  std::vector<Diagnostic> input_diagnostics(const std::vector<Image>& images,
                                            const std::vector<Prediction>& answers) const;
  // The same for answers from predict_files: re-reads a sample of the answered files.
  std::vector<Diagnostic> file_diagnostics(const std::vector<Prediction>& answers) const;

  // The decompression-bomb guard for files read by predict_files (default 100 megapixels).
  void set_decode_limits(const DecodeLimits& limits) { decode_limits_ = limits; }

  const PipelineSpec& spec() const { return spec_; }
  PipelineSpec& mutable_spec() { return spec_; }  // e.g. a --top-k override
  const Session& session() const { return session_; }

 private:
  struct Batch;
  // Decodes (via `source`) and preprocesses images [begin, end) into model-ready tensors.
  using ImageSource = std::function<const Image&(size_t index, Image& storage)>;
  Batch prepare_batch(const ImageSource& source, const std::vector<std::string>& names,
                      size_t begin, size_t end) const;
  void answer_batch(Batch& batch, PredictStats& stats, const AnswerCallback& on_answer) const;
  PredictStats predict_source(const ImageSource& source, const std::vector<std::string>& names,
                              const PredictOptions& options, const AnswerCallback& on_answer) const;
  Image convert_and_resize(const Image& image) const;  // preprocess() before crop and pad

  Session session_;
  PipelineSpec spec_;
  DecodeLimits decode_limits_;
  std::string model_path_;  // set by load(); the diagnostics read the model's graph from it
};

// A Pipeline's two halves without its Session, for a caller that runs the model itself (the
// server's batcher): the spec's geometric steps and channel conversion, and how the result
// becomes a tensor. `spec` must have been validated against the model.
Image preprocess_image(const Image& image, const PipelineSpec& spec);
TensorOptions pipeline_tensor_options(const PipelineSpec& spec);

// Finds the spec for a model as Pipeline::load does; `spec` may be empty.
PipelineSpec find_pipeline_spec(const std::string& model_path, const Session& session,
                                const std::string& spec);

}  // namespace infera
