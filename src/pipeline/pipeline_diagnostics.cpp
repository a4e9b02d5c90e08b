// infera::Pipeline's diagnostics: the model's graph as read from its file (the Session holds the
// optimized graph, where BatchNormalization is already folded away) and a sample of the inputs.
#include <algorithm>

#include "infera/pipeline.h"
#include "onnx/onnx_reader.h"

namespace infera {
namespace {

constexpr size_t kSampledInputs = 16;

// Up to `count` indices spread evenly over [0, size).
std::vector<size_t> spread_sample(size_t size, size_t count) {
  std::vector<size_t> out;
  for (size_t i = 0; i < std::min(size, count); ++i)
    out.push_back(i * size / std::min(size, count));
  return out;
}

}  // namespace

std::vector<Diagnostic> Pipeline::model_diagnostics() const {
  if (model_path_.empty()) return {};
  return training_mode_warnings(*read_onnx_model(model_path_));
}

std::vector<Diagnostic> Pipeline::input_diagnostics(const std::vector<Image>& images,
                                                    const std::vector<Prediction>& answers) const {
  std::vector<Image> ready;
  for (size_t i : spread_sample(images.size(), kSampledInputs)) {
    try {
      ready.push_back(preprocess(images[i]));
    } catch (const Error&) {
      // An image the spec cannot take was answered with that error already.
    }
  }
  std::vector<Diagnostic> out;
  if (!model_path_.empty() && !ready.empty())
    out = input_range_warnings(measure_input_range(*read_onnx_model(model_path_), spec_, ready),
                               spec_);
  for (Diagnostic& d : same_class_warnings(answers, ready)) out.push_back(std::move(d));
  return out;
}

std::vector<Diagnostic> Pipeline::file_diagnostics(const std::vector<Prediction>& answers) const {
  std::vector<const Prediction*> answered;
  for (const Prediction& p : answers)
    if (p.ok()) answered.push_back(&p);
  std::vector<Image> images;
  for (size_t i : spread_sample(answered.size(), kSampledInputs)) {
    try {
      images.push_back(read_image_file(answered[i]->source, decode_limits_));
    } catch (const Error&) {
      // Changed since it was answered: diagnose the others.
    }
  }
  return input_diagnostics(images, answers);
}

}  // namespace infera
