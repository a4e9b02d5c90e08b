// Diagnostics for the classic mistakes that make a model give confident wrong answers with no
// error anywhere. Each returns one-line warnings; none changes what the engine computes.
//
//   training_mode_warnings(model)          Dropout / BatchNormalization left in training mode
//   input_range_warnings(model, spec, x)   the spec's input range against what the first layer
//                                          saw in training (its BatchNormalization statistics)
//   same_class_warnings(answers, images)   varied inputs that all get one class
//
// infera::Pipeline wraps them (model_diagnostics, input_diagnostics); `infera predict` prints
// them on stderr as "infera: warning: ...". docs/PIPELINE.md says what each check can and cannot
// see.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "pipeline/image.h"
#include "pipeline/postprocess.h"
#include "pipeline/spec.h"

namespace infera {

struct Diagnostic {
  std::string check;    // "training-mode", "input-range" or "same-class"
  std::string message;  // one line, naming the nodes or the spec
};

// Dropout whose training_mode input is a constant true, BatchNormalization with
// training_mode = 1 (opset 14+), in the main graph.
std::vector<Diagnostic> training_mode_warnings(const Model& model);

// How far the spec's tensors are from what the first layer's BatchNormalization recorded in
// training, and the same for the usual alternative normalisations. `images` are preprocessed
// (spec-sized); an empty result when the model has no such statistics to compare with.
struct InputRangeCandidate {
  std::string name;     // "the spec's", "[0, 1] (scale unit)", ...
  std::string range;    // "[0, 1]", per channel when they differ
  double mismatch = 0;  // median over channels of the standardised distance; 0 is a perfect fit
};
struct InputRangeReport {
  std::string layer;  // "Conv 'conv1' -> BatchNormalization 'bn1'"; empty: nothing to compare
  std::vector<InputRangeCandidate> candidates;  // [0] is the spec's own
};
InputRangeReport measure_input_range(const Model& model, const PipelineSpec& spec,
                                     const std::vector<Image>& images);
std::vector<Diagnostic> input_range_warnings(const InputRangeReport& report,
                                             const PipelineSpec& spec);

// `images` are (some of) the inputs behind `answers`, preprocessed; they tell whether the
// inputs really differ. Needs at least kSameClassMinimum answered inputs.
inline constexpr size_t kSameClassMinimum = 8;
std::vector<Diagnostic> same_class_warnings(const std::vector<Prediction>& answers,
                                            const std::vector<Image>& images);

}  // namespace infera
