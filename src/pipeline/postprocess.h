// Postprocessing: one row of model output -> a Prediction, as the pipeline spec says
// (activation, argmax / top-k / thresholds, "unknown" below min_confidence, label names,
// regression de-normalisation).
//
//   Prediction p = postprocess_row(logits, 10, spec);   // spec.task multiclass, softmax
//   p.label, p.index, p.confidence, p.top_k[0].label
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/spec.h"

namespace infera {

inline constexpr const char* kUnknownLabel = "unknown";

struct ScoredLabel {
  std::string label;
  int index = -1;
  float probability = 0.0f;
};

struct PredictionTimings {
  double decode_ms = 0;
  double preprocess_ms = 0;
  double inference_ms = 0;  // the whole batch's run, shared by every image in it
  double postprocess_ms = 0;
};

struct Prediction {
  std::string source;  // the file (or "image N") this answers
  std::string error;   // non-empty: this input failed and nothing below is set
  std::string label;   // kUnknownLabel when confidence < min_confidence
  int index = -1;      // the chosen class; -1 when unknown or for regression
  float confidence = 0.0f;
  std::vector<ScoredLabel> top_k;      // best first (multiclass, binary)
  std::vector<ScoredLabel> positives;  // multilabel: every label at or above its threshold
  std::vector<float> probabilities;    // every class (label), after the activation
  std::vector<float> values;           // regression: de-normalised outputs
  std::vector<int64_t> input_shape;    // the tensor this input became, batch dim 1
  int image_width = 0, image_height = 0, image_channels = 0;  // as decoded
  int views = 1;  // test-time augmentation: how many views were merged into this answer
  PredictionTimings timings;

  bool ok() const { return error.empty(); }
};

// In place, numerically stable (max subtracted first).
void softmax_in_place(std::vector<float>& values);
void sigmoid_in_place(std::vector<float>& values);

// The k best (highest, ties to the lower index), best first; k is clipped to the count.
std::vector<int> top_k_indices(const std::vector<float>& values, int k);

// `row` holds `count` outputs for one input.
Prediction postprocess_row(const float* row, int64_t count, const PipelineSpec& spec);
// The same with `activation` in place of the spec's (none after a TTA merge of probabilities).
Prediction postprocess_row(const float* row, int64_t count, const PipelineSpec& spec,
                           Activation activation);

}  // namespace infera
