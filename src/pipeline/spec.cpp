// Strict JSON -> PipelineSpec: every key is known, every value has the right type, and each
// error names the key path ("preprocess.resize.filter") and the document it came from.
#include "pipeline/spec.h"

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>
#include <utility>

#include "pipeline/spec_presets.h"

namespace infera {
namespace {

using json = nlohmann::json;

class SpecReader {
 public:
  SpecReader(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  void apply(const json& doc, PipelineSpec& spec);

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw Error(ErrorKind::kInvalidArgument,
                "pipeline spec " + source_ + ": '" + key + "' " + problem);
  }
  void only_keys(const json& object, const std::string& where,
                 std::initializer_list<const char*> allowed) const;
  const json& object(const json& value, const std::string& key) const;
  int integer(const json& value, const std::string& key, int min_value) const;
  float number(const json& value, const std::string& key) const;
  std::string text(const json& value, const std::string& key) const;
  std::vector<float> numbers(const json& value, const std::string& key) const;
  std::pair<int, int> size_pair(const json& value, const std::string& key) const;
  template <class E>
  E choice(const json& value, const std::string& key,
           std::initializer_list<std::pair<const char*, E>> options) const;

  void apply_input(const json& input, PipelineSpec& spec);
  void apply_preprocess(const json& pre, PreprocessSpec& spec);
  void apply_resize(const json& resize, ResizeStep& step);
  void apply_output(const json& doc, PipelineSpec& spec);
  void apply_tta(const json& tta, TtaSpec& spec);

  std::string source_;
  std::string base_dir_;
};

void SpecReader::only_keys(const json& object, const std::string& where,
                           std::initializer_list<const char*> allowed) const {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (const char* name : allowed) known = known || it.key() == name;
    if (known) continue;
    std::string list;
    for (const char* name : allowed) list += std::string(list.empty() ? "" : ", ") + name;
    fail(where + it.key(), "is not a known key (expected one of: " + list + ")");
  }
}

const json& SpecReader::object(const json& value, const std::string& key) const {
  if (!value.is_object()) fail(key, "must be an object, got " + value.dump());
  return value;
}

int SpecReader::integer(const json& value, const std::string& key, int min_value) const {
  if (!value.is_number_integer()) fail(key, "must be an integer, got " + value.dump());
  const int64_t v = value.get<int64_t>();
  if (v < min_value || v > 1'000'000)
    fail(key, "must be at least " + std::to_string(min_value) + ", got " + value.dump());
  return static_cast<int>(v);
}

float SpecReader::number(const json& value, const std::string& key) const {
  if (!value.is_number()) fail(key, "must be a number, got " + value.dump());
  return value.get<float>();
}

std::string SpecReader::text(const json& value, const std::string& key) const {
  if (!value.is_string()) fail(key, "must be a string, got " + value.dump());
  return value.get<std::string>();
}

std::vector<float> SpecReader::numbers(const json& value, const std::string& key) const {
  if (value.is_number()) return {number(value, key)};
  if (!value.is_array()) fail(key, "must be a number or an array of numbers, got " + value.dump());
  std::vector<float> out;
  for (size_t i = 0; i < value.size(); ++i)
    out.push_back(number(value[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

std::pair<int, int> SpecReader::size_pair(const json& value, const std::string& key) const {
  if (value.is_number_integer()) {
    const int side = integer(value, key, 1);
    return {side, side};
  }
  if (!value.is_array() || value.size() != 2)
    fail(key, "must be N or [width, height], got " + value.dump());
  return {integer(value[0], key + "[0]", 1), integer(value[1], key + "[1]", 1)};
}

template <class E>
E SpecReader::choice(const json& value, const std::string& key,
                     std::initializer_list<std::pair<const char*, E>> options) const {
  const std::string given = text(value, key);
  std::string list;
  for (const auto& [name, option] : options) {
    if (given == name) return option;
    list += std::string(list.empty() ? "" : ", ") + name;
  }
  fail(key, "must be one of " + list + ", got \"" + given + "\"");
}

void SpecReader::apply(const json& doc, PipelineSpec& spec) {
  object(doc, "(document)");
  only_keys(doc, "",
            {"version", "preset", "input", "preprocess", "task", "activation", "top_k", "threshold",
             "thresholds", "min_confidence", "labels", "labels_file", "regression", "tta"});
  if (!doc.contains("version")) fail("version", "is missing (this Infera reads version 1)");
  spec.version = integer(doc["version"], "version", 0);
  if (spec.version != 1) fail("version", "is " + std::to_string(spec.version) + "; this Infera reads 1");
  if (doc.contains("preset")) {
    const std::string name = text(doc["preset"], "preset");
    if (!is_pipeline_preset(name)) fail("preset", "names no preset: \"" + name + "\"");
    SpecReader("preset " + name, "").apply(json::parse(pipeline_preset_json(name)), spec);
  }
  if (doc.contains("input")) apply_input(object(doc["input"], "input"), spec);
  if (doc.contains("preprocess"))
    apply_preprocess(object(doc["preprocess"], "preprocess"), spec.preprocess);
  apply_output(doc, spec);
  if (doc.contains("tta")) apply_tta(object(doc["tta"], "tta"), spec.tta);
}

void SpecReader::apply_input(const json& input, PipelineSpec& spec) {
  only_keys(input, "input.", {"kind", "width", "height", "channels", "layout", "dtype"});
  if (input.contains("kind"))
    spec.input_kind = choice<InputKind>(input["kind"], "input.kind",
                                        {{"image", InputKind::kImage}, {"tensor", InputKind::kTensor}});
  if (input.contains("dtype") && text(input["dtype"], "input.dtype") != "float32")
    fail("input.dtype", "must be \"float32\", got " + input["dtype"].dump());
  if (input.contains("width")) spec.width = integer(input["width"], "input.width", 1);
  if (input.contains("height")) spec.height = integer(input["height"], "input.height", 1);
  if (input.contains("channels")) {
    spec.channels = integer(input["channels"], "input.channels", 1);
    if (spec.channels != 1 && spec.channels != 3)
      fail("input.channels", "must be 1 or 3, got " + std::to_string(spec.channels));
  }
  if (input.contains("layout"))
    spec.layout = choice<TensorLayout>(input["layout"], "input.layout",
                                       {{"NCHW", TensorLayout::kNCHW}, {"NHWC", TensorLayout::kNHWC}});
}

void SpecReader::apply_resize(const json& resize, ResizeStep& step) {
  only_keys(object(resize, "preprocess.resize"), "preprocess.resize.", {"size", "filter"});
  step.enabled = true;
  if (!resize.contains("size")) fail("preprocess.resize.size", "is missing");
  const json& size = resize["size"];
  step.shorter_side = step.width = step.height = 0;
  if (size.is_number_integer()) {
    step.shorter_side = integer(size, "preprocess.resize.size", 1);
  } else if (!(size.is_string() && size.get<std::string>() == "input")) {
    std::tie(step.width, step.height) = size_pair(size, "preprocess.resize.size");
  }
  if (resize.contains("filter"))
    step.filter = choice<ResizeFilter>(resize["filter"], "preprocess.resize.filter",
                                       {{"nearest", ResizeFilter::kNearest},
                                        {"bilinear", ResizeFilter::kBilinear},
                                        {"bicubic", ResizeFilter::kBicubic}});
}

void SpecReader::apply_preprocess(const json& pre, PreprocessSpec& spec) {
  only_keys(pre, "preprocess.", {"color", "resize", "center_crop", "pad", "scale", "mean", "std"});
  if (pre.contains("color"))
    spec.color = choice<ColorOrder>(pre["color"], "preprocess.color",
                                    {{"grey", ColorOrder::kGrey}, {"rgb", ColorOrder::kRgb},
                                     {"bgr", ColorOrder::kBgr}});
  if (pre.contains("resize")) {
    if (pre["resize"].is_null()) spec.resize = ResizeStep{};
    else apply_resize(pre["resize"], spec.resize);
  }
  if (pre.contains("center_crop"))
    std::tie(spec.crop_width, spec.crop_height) = size_pair(pre["center_crop"], "preprocess.center_crop");
  if (pre.contains("pad")) {
    const json& pad = pre["pad"];
    if (pad.is_number_integer()) {
      const int p = integer(pad, "preprocess.pad", 0);
      for (int& side : spec.pad) side = p;
    } else if (pad.is_array() && pad.size() == 4) {
      for (size_t i = 0; i < 4; ++i)
        spec.pad[i] = integer(pad[i], "preprocess.pad[" + std::to_string(i) + "]", 0);
    } else {
      fail("preprocess.pad", "must be N or [left, top, right, bottom], got " + pad.dump());
    }
  }
  if (pre.contains("scale"))
    spec.scale = choice<PixelScale>(pre["scale"], "preprocess.scale",
                                    {{"unit", PixelScale::kUnit}, {"symmetric", PixelScale::kSymmetric},
                                     {"none", PixelScale::kRaw}});
  if (pre.contains("mean")) spec.mean = numbers(pre["mean"], "preprocess.mean");
  if (pre.contains("std")) spec.std = numbers(pre["std"], "preprocess.std");
  for (float s : spec.std)
    if (s == 0.0f) fail("preprocess.std", "must not contain 0");
}

void SpecReader::apply_output(const json& doc, PipelineSpec& spec) {
  if (doc.contains("task"))
    spec.task = choice<Task>(doc["task"], "task",
                             {{"multiclass", Task::kMulticlass}, {"binary", Task::kBinary},
                              {"multilabel", Task::kMultilabel}, {"regression", Task::kRegression}});
  if (doc.contains("activation"))
    spec.activation = choice<Activation>(doc["activation"], "activation",
                                         {{"softmax", Activation::kSoftmax},
                                          {"sigmoid", Activation::kSigmoid},
                                          {"none", Activation::kNone}});
  if (doc.contains("top_k")) spec.top_k = integer(doc["top_k"], "top_k", 1);
  if (doc.contains("threshold")) spec.threshold = number(doc["threshold"], "threshold");
  if (doc.contains("thresholds")) spec.thresholds = numbers(doc["thresholds"], "thresholds");
  if (doc.contains("min_confidence"))
    spec.min_confidence = number(doc["min_confidence"], "min_confidence");
  if (doc.contains("labels") && doc.contains("labels_file"))
    fail("labels_file", "and 'labels' are both given; use one");
  if (doc.contains("labels")) {
    const json& labels = doc["labels"];
    if (!labels.is_array()) fail("labels", "must be an array of strings, got " + labels.dump());
    spec.labels.clear();
    for (size_t i = 0; i < labels.size(); ++i)
      spec.labels.push_back(text(labels[i], "labels[" + std::to_string(i) + "]"));
  }
  if (doc.contains("labels_file")) {
    std::filesystem::path path = text(doc["labels_file"], "labels_file");
    if (path.is_relative()) path = std::filesystem::path(base_dir_) / path;
    spec.labels = read_labels_file(path.string());
  }
  if (doc.contains("regression")) {
    const json& reg = object(doc["regression"], "regression");
    only_keys(reg, "regression.", {"mean", "std"});
    if (reg.contains("mean")) spec.regression_mean = numbers(reg["mean"], "regression.mean");
    if (reg.contains("std")) spec.regression_std = numbers(reg["std"], "regression.std");
  }
}

// Whether the keys suit the mode is checked with the model (check_tta), as a --tta on the
// command line may change the mode after parsing.
void SpecReader::apply_tta(const json& tta, TtaSpec& spec) {
  only_keys(tta, "tta.", {"mode", "merge", "resize", "scales"});
  if (!tta.contains("mode")) fail("tta.mode", "is missing");
  const std::string mode = text(tta["mode"], "tta.mode");
  if (!is_tta_mode(mode))
    fail("tta.mode", "must be one of " + tta_mode_names() + ", got \"" + mode + "\"");
  spec.mode = parse_tta_mode(mode);
  if (tta.contains("merge")) {
    const std::string merge = text(tta["merge"], "tta.merge");
    if (!is_tta_merge(merge))
      fail("tta.merge", "must be one of " + tta_merge_names() + ", got \"" + merge + "\"");
    spec.merge = parse_tta_merge(merge);
  }
  if (tta.contains("resize")) spec.resize = integer(tta["resize"], "tta.resize", 1);
  if (tta.contains("scales")) {
    const json& scales = tta["scales"];
    if (!scales.is_array() || scales.empty())
      fail("tta.scales", "must be a non-empty array of sizes, got " + scales.dump());
    spec.scales.clear();
    for (size_t i = 0; i < scales.size(); ++i)
      spec.scales.push_back(integer(scales[i], "tta.scales[" + std::to_string(i) + "]", 1));
  }
}

}  // namespace

std::vector<std::string> read_labels_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot read labels file " + path);
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  return labels;
}

PipelineSpec parse_pipeline_spec(const std::string& json_text, const std::string& base_dir,
                                 const std::string& source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw Error(ErrorKind::kInvalidArgument, "pipeline spec " + source + ": not valid JSON: " + e.what());
  }
  PipelineSpec spec;
  spec.source = source;
  SpecReader(source, base_dir).apply(doc, spec);
  return spec;
}

PipelineSpec load_pipeline_spec(const std::string& file_or_preset) {
  if (is_pipeline_preset(file_or_preset)) {
    return parse_pipeline_spec(pipeline_preset_json(file_or_preset), "",
                               "preset " + file_or_preset);
  }
  std::ifstream in(file_or_preset, std::ios::binary);
  if (!in) {
    std::string presets;
    for (const std::string& name : pipeline_preset_names()) presets += " " + name;
    throw Error(ErrorKind::kIo, "pipeline spec " + file_or_preset +
                                    ": no such file and no such preset (presets:" + presets + ")");
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string dir = std::filesystem::path(file_or_preset).parent_path().string();
  return parse_pipeline_spec(text.str(), dir, file_or_preset);
}

}  // namespace infera
