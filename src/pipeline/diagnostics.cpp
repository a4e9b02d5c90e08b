// Training-mode nodes and "always the same class": see diagnostics.h. The input-range check
// lives in input_range_check.cpp.
#include "pipeline/diagnostics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "opt/rewrite.h"

namespace infera {
namespace {

const Tensor* constant_input(const Graph& graph, const GraphIndex& index, const std::string& name) {
  if (const Tensor* t = index.initializer(name)) return t;
  const int producer = index.producer(name);
  if (producer < 0 || graph.nodes[producer].op_type != "Constant") return nullptr;
  const Attribute* value = graph.nodes[producer].find_attribute("value");
  return value && value->type == Attribute::Type::kTensor ? &value->t : nullptr;
}

bool is_constant_true(const Tensor* t) {
  return t && t->numel() == 1 && t->dtype() == DType::kBool && t->data<bool>()[0];
}

std::string join_nodes(const std::vector<const Node*>& nodes) {
  std::string out;
  for (const Node* n : nodes) out += (out.empty() ? "" : ", ") + n->describe();
  return out;
}

}  // namespace

std::vector<Diagnostic> training_mode_warnings(const Model& model) {
  if (!model.graph) return {};
  const Graph& graph = *model.graph;
  const GraphIndex index(graph);
  std::vector<const Node*> dropouts, batch_norms;
  for (const Node& node : graph.nodes) {
    if (!node.domain.empty() && node.domain != "ai.onnx") continue;
    if (node.op_type == "Dropout" && node.inputs.size() > 2 && !node.inputs[2].empty() &&
        is_constant_true(constant_input(graph, index, node.inputs[2])))
      dropouts.push_back(&node);
    const Attribute* training = node.find_attribute("training_mode");
    if (node.op_type == "BatchNormalization" && training && training->i != 0)
      batch_norms.push_back(&node);
  }
  std::vector<Diagnostic> out;
  // What the engine does with them is ONNX's semantics, which is rarely what was meant.
  if (!dropouts.empty())
    out.push_back({"training-mode",
                   "the model runs Dropout in training mode (" + join_nodes(dropouts) +
                       ": training_mode is a constant true): it zeroes activations at random, so "
                       "answers change from run to run; export the model after model.eval()"});
  if (!batch_norms.empty())
    out.push_back(
        {"training-mode",
         "the model runs BatchNormalization in training mode (" + join_nodes(batch_norms) +
             ": training_mode = 1): it normalises with each batch's own statistics, so an "
             "input's answer depends on the other inputs in its batch; export the model "
             "after model.eval()"});
  return out;
}

std::vector<Diagnostic> same_class_warnings(const std::vector<Prediction>& answers,
                                            const std::vector<Image>& images) {
  const Prediction* first = nullptr;
  size_t answered = 0;
  for (const Prediction& p : answers) {
    if (!p.ok() || p.index < 0) continue;
    if (first && p.index != first->index) return {};
    first = first ? first : &p;
    ++answered;
  }
  if (answered < kSameClassMinimum || images.size() < 2) return {};
  // The same file given N times is not a symptom: require inputs whose pixels differ.
  double low_mean = 1, high_mean = 0, low_spread = 1, high_spread = 0;
  for (const Image& image : images) {
    double sum = 0, squares = 0;
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        for (int c = 0; c < image.channels; ++c) {
          const double v = image.normalized(x, y, c);
          sum += v, squares += v * v;
        }
    const double n = std::max<double>(1.0, static_cast<double>(image.sample_count()));
    const double mean = sum / n, spread = std::sqrt(std::max(0.0, squares / n - mean * mean));
    low_mean = std::min(low_mean, mean), high_mean = std::max(high_mean, mean);
    low_spread = std::min(low_spread, spread), high_spread = std::max(high_spread, spread);
  }
  constexpr double kVaried = 0.02;  // 2% of the full pixel range: about 5 grey levels
  if (high_mean - low_mean < kVaried && high_spread - low_spread < kVaried) return {};
  char range[96];
  std::snprintf(range, sizeof range, "pixel means %.3f to %.3f, spreads %.3f to %.3f", low_mean,
                high_mean, low_spread, high_spread);
  return {{"same-class",
           "always predicts the same class: all " + std::to_string(answered) + " inputs got '" +
               first->label + "' although they differ (" + range +
               "); likely causes: the spec's scale/mean/std or channel order differ from "
               "training, a model exported in training mode, or a model that did not learn"}};
}

}  // namespace infera
