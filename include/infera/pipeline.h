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
//     std::cout << p.source << ": " << p.label << " " << p.confidence << "\n";  // "Ankle boot 0.98"
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
#pragma once

#include <string>
#include <vector>

#include "infera/infera.h"
#include "pipeline/diagnostics.h"
#include "pipeline/image.h"
#include "pipeline/postprocess.h"
#include "pipeline/spec.h"

namespace infera {

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

  // The same for a batch already in model form ([n, ...], e.g. feature rows): no preprocessing.
  // Sources are "row 0", "row 1", ...
  std::vector<Prediction> predict_tensor(const Tensor& batch) const;

  // The spec's geometric steps and channel conversion: the image the tensor is made from.
  Image preprocess(const Image& image) const;
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
  struct Item;
  void run_batch(std::vector<Item>& items, size_t begin, size_t end) const;
  std::vector<Prediction> predict_items(std::vector<Item>& items, int batch_size) const;

  Session session_;
  PipelineSpec spec_;
  DecodeLimits decode_limits_;
  std::string model_path_;  // set by load(); the diagnostics read the model's graph from it
};

// Finds the spec for a model as Pipeline::load does; `spec` may be empty.
PipelineSpec find_pipeline_spec(const std::string& model_path, const Session& session,
                                const std::string& spec);

}  // namespace infera
