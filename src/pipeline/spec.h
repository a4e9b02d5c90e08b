// Pipeline spec: how files become the tensor a model wants, and how its outputs become answers.
// A JSON document (docs/PIPELINE.md), versioned, found beside the model as MODEL.pipeline.json,
// in the ONNX metadata_props key "infera.pipeline", or named on the command line (a file or a
// preset such as "torchvision-imagenet").
//
//   PipelineSpec spec = load_pipeline_spec("model.pipeline.json");
//   validate_spec_against_model(spec, session.inputs()[0], session.outputs()[0]);
//
// Parsing is strict: an unknown key or a value of the wrong type is an Error naming the key, so
// a typo ("mena") fails loudly instead of silently meaning "no normalisation".
#pragma once

#include <string>
#include <vector>

#include "infera/infera.h"
#include "pipeline/preprocess.h"

namespace infera {

enum class TensorLayout { kNCHW, kNHWC };
enum class ColorOrder { kGrey, kRgb, kBgr };
enum class Task { kMulticlass, kBinary, kMultilabel, kRegression };
enum class Activation { kSoftmax, kSigmoid, kNone };
// kTensor: inputs arrive as tensors already in model form (a tabular model's feature rows,
// NPY records) and skip image preprocessing.
enum class InputKind { kImage, kTensor };

struct ResizeStep {
  bool enabled = false;
  int shorter_side = 0;    // torchvision Resize(N): the shorter side becomes N
  int width = 0;           // else an exact size; 0 x 0 means the model input's size
  int height = 0;
  ResizeFilter filter = ResizeFilter::kBilinear;
};

// Geometric steps run in this fixed order: color, resize, center_crop, pad; then the pixels
// are scaled and normalised into the tensor.
struct PreprocessSpec {
  ColorOrder color = ColorOrder::kRgb;
  ResizeStep resize;
  int crop_width = 0;  // center crop; 0 = none
  int crop_height = 0;
  int pad[4] = {0, 0, 0, 0};  // left, top, right, bottom
  PixelScale scale = PixelScale::kUnit;
  std::vector<float> mean;  // per channel in the output channel order; empty = 0
  std::vector<float> std;   // empty = 1
};

struct PipelineSpec {
  int version = 1;
  std::string source;  // where it came from, for error messages
  // input
  InputKind input_kind = InputKind::kImage;
  int width = 0;  // 0: taken from the model's input shape
  int height = 0;
  int channels = 3;
  TensorLayout layout = TensorLayout::kNCHW;
  PreprocessSpec preprocess;
  // output
  Task task = Task::kMulticlass;
  Activation activation = Activation::kSoftmax;
  int top_k = 1;
  float threshold = 0.5f;          // binary: p(class 1) at or above it means class 1
  std::vector<float> thresholds;   // multilabel: per label (empty: `threshold` for all)
  float min_confidence = 0.0f;     // below it the answer is "unknown"
  std::vector<std::string> labels;
  std::vector<float> regression_mean;  // y * std + mean, per output or one for all
  std::vector<float> regression_std;
};

// `base_dir` resolves "labels_file"; `source` names the document in errors.
PipelineSpec parse_pipeline_spec(const std::string& json_text, const std::string& base_dir,
                                 const std::string& source);
// A file path or a preset name.
PipelineSpec load_pipeline_spec(const std::string& file_or_preset);
bool is_pipeline_preset(const std::string& name);
std::vector<std::string> pipeline_preset_names();

// Fills width/height from a fixed-size input, and refuses a spec that cannot fit the model:
// channel count, size, layout rank, label count vs classes. Messages name both sides.
void validate_spec_against_model(PipelineSpec& spec, const TensorInfo& input,
                                 const TensorInfo& output);

// The whole effective spec as JSON (every key written, labels inlined, no preset); `indent` < 0
// gives one line. parse_pipeline_spec reads it back to the same spec.
std::string pipeline_spec_to_json(const PipelineSpec& spec, int indent = -1);

// Reads one label per line (trailing blanks and an empty last line dropped).
std::vector<std::string> read_labels_file(const std::string& path);

}  // namespace infera
