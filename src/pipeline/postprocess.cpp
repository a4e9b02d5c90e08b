// Model outputs -> answers. Probabilities are computed in double and stored as float so that
// the ranking of near-equal classes does not depend on float rounding order.
#include "pipeline/postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace infera {
namespace {

std::string label_for(const PipelineSpec& spec, int index) {
  if (index >= 0 && static_cast<size_t>(index) < spec.labels.size())
    return spec.labels[static_cast<size_t>(index)];
  return std::to_string(index);
}

void apply_activation(Activation activation, std::vector<float>& values) {
  if (activation == Activation::kSoftmax) softmax_in_place(values);
  if (activation == Activation::kSigmoid) sigmoid_in_place(values);
}

std::vector<ScoredLabel> scored(const PipelineSpec& spec, const std::vector<float>& probs,
                                const std::vector<int>& indices) {
  std::vector<ScoredLabel> out;
  for (int i : indices) out.push_back({label_for(spec, i), i, probs[static_cast<size_t>(i)]});
  return out;
}

void choose(Prediction& p, const PipelineSpec& spec, const std::vector<float>& probs, int index) {
  p.index = index;
  p.confidence = probs[static_cast<size_t>(index)];
  p.label = label_for(spec, index);
  if (p.confidence < spec.min_confidence) {
    p.label = kUnknownLabel;
    p.index = -1;
  }
}

// A binary model gives one logit (p(class 1)) or two scores; either way two probabilities.
std::vector<float> binary_probabilities(const float* row, int64_t count, Activation activation) {
  if (count == 1) {
    std::vector<float> p1 = {row[0]};
    // Softmax over a single logit is always 1: a one-logit model means sigmoid.
    if (activation != Activation::kNone) sigmoid_in_place(p1);
    return {1.0f - p1[0], p1[0]};
  }
  std::vector<float> probs(row, row + count);
  apply_activation(activation, probs);
  return probs;
}

void postprocess_multilabel(Prediction& p, const PipelineSpec& spec, const std::vector<float>& probs) {
  std::vector<int> order = top_k_indices(probs, static_cast<int>(probs.size()));
  for (int i : order) {
    const float threshold = spec.thresholds.empty() ? spec.threshold : spec.thresholds[static_cast<size_t>(i)];
    if (probs[static_cast<size_t>(i)] >= threshold)
      p.positives.push_back({label_for(spec, i), i, probs[static_cast<size_t>(i)]});
  }
  for (const ScoredLabel& s : p.positives) p.label += (p.label.empty() ? "" : ",") + s.label;
  p.index = p.positives.empty() ? -1 : p.positives.front().index;
  p.confidence = p.positives.empty() ? 0.0f : p.positives.front().probability;
}

}  // namespace

void softmax_in_place(std::vector<float>& values) {
  if (values.empty()) return;
  const double max_value = *std::max_element(values.begin(), values.end());
  double sum = 0;
  for (float v : values) sum += std::exp(static_cast<double>(v) - max_value);
  for (float& v : values) v = static_cast<float>(std::exp(static_cast<double>(v) - max_value) / sum);
}

void sigmoid_in_place(std::vector<float>& values) {
  for (float& v : values) v = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(v))));
}

std::vector<int> top_k_indices(const std::vector<float>& values, int k) {
  std::vector<int> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t keep = std::min(order.size(), static_cast<size_t>(std::max(k, 0)));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                    [&](int a, int b) {
                      const float va = values[static_cast<size_t>(a)], vb = values[static_cast<size_t>(b)];
                      return va > vb || (va == vb && a < b);
                    });
  order.resize(keep);
  return order;
}

Prediction postprocess_row(const float* row, int64_t count, const PipelineSpec& spec,
                           Activation activation) {
  Prediction p;
  if (spec.task == Task::kRegression) {
    p.values.assign(row, row + count);
    apply_activation(activation, p.values);
    for (size_t i = 0; i < p.values.size(); ++i) {
      auto pick = [i](const std::vector<float>& v, float absent) {
        return v.empty() ? absent : v.size() == 1 ? v[0] : v[std::min(i, v.size() - 1)];
      };
      p.values[i] = p.values[i] * pick(spec.regression_std, 1.0f) + pick(spec.regression_mean, 0.0f);
    }
    return p;
  }
  std::vector<float> probs;
  if (spec.task == Task::kBinary) {
    probs = binary_probabilities(row, count, activation);
  } else {
    probs.assign(row, row + count);
    apply_activation(activation, probs);
  }
  if (probs.empty()) return p;
  p.probabilities = probs;
  p.top_k = scored(spec, probs, top_k_indices(probs, spec.top_k));
  if (spec.task == Task::kMultilabel) {
    postprocess_multilabel(p, spec, probs);
  } else if (spec.task == Task::kBinary) {
    choose(p, spec, probs, probs[1] >= spec.threshold ? 1 : 0);
  } else {
    choose(p, spec, probs, p.top_k.front().index);
  }
  return p;
}

Prediction postprocess_row(const float* row, int64_t count, const PipelineSpec& spec) {
  return postprocess_row(row, count, spec, spec.activation);
}

}  // namespace infera
