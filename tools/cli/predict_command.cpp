// `infera predict MODEL FILE...`: image files through the model's pipeline spec to answers.
// Directories expand to the image files in them (sorted); globs are the shell's job. A file
// that fails prints an error line naming it, the others still get answers, and the exit code
// is then 1.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "batch_predict.h"
#include "cli.h"
#include "infera/pipeline.h"

namespace infera::cli {
namespace {

bool looks_like_image(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".pgm", ".ppm", ".pnm", ".bmp"})
    if (ext == known) return true;
  return false;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(input, ec)) {
      files.push_back(input);  // missing files are reported per file, like undecodable ones
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(input))
      if (entry.is_regular_file() && looks_like_image(entry.path())) found.push_back(entry.path().string());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

nlohmann::json scored_json(const std::vector<ScoredLabel>& entries) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScoredLabel& s : entries)
    out.push_back({{"label", s.label}, {"index", s.index}, {"probability", s.probability}});
  return out;
}

nlohmann::json prediction_json(const Prediction& p) {
  if (!p.ok()) return {{"file", p.source}, {"error", p.error}};
  nlohmann::json out = {{"file", p.source}, {"label", p.label}, {"index", p.index},
                        {"confidence", p.confidence}, {"top_k", scored_json(p.top_k)},
                        {"input_shape", p.input_shape},
                        {"image", {p.image_width, p.image_height, p.image_channels}},
                        {"timings_ms", {{"decode", p.timings.decode_ms},
                                        {"preprocess", p.timings.preprocess_ms},
                                        {"inference_batch", p.timings.inference_ms},
                                        {"postprocess", p.timings.postprocess_ms}}}};
  if (!p.positives.empty()) out["positives"] = scored_json(p.positives);
  if (!p.values.empty()) out["values"] = p.values;
  return out;
}

std::string prediction_text(const Prediction& p) {
  std::string line = p.source + ": ";
  char buffer[64];
  if (!p.values.empty()) {
    for (size_t i = 0; i < p.values.size(); ++i) {
      std::snprintf(buffer, sizeof buffer, "%s%g", i ? " " : "", p.values[i]);
      line += buffer;
    }
    return line;
  }
  std::snprintf(buffer, sizeof buffer, " (%.4f)", p.confidence);
  line += p.label + buffer;
  if (p.top_k.size() > 1) {
    line += "  top:";
    for (const ScoredLabel& s : p.top_k) {
      std::snprintf(buffer, sizeof buffer, " %.4f", s.probability);
      line += " " + s.label + buffer;
    }
  }
  return line;
}

}  // namespace

Action add_predict_command(CLI::App& app) {
  struct Args {
    std::string model;
    std::vector<std::string> inputs;
    std::string pipeline;
    int top_k = 0;
    int batch = 16;
    int threads = 0;
    bool deterministic = false;
    bool json = false;
    bool verbose = false;
    uint64_t max_pixels = DecodeLimits{}.max_pixels;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("predict", "Classify or score image files through the model's pipeline");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("files", args->inputs, "image files or directories of them");
  cmd->add_option("--pipeline", args->pipeline,
                  "pipeline spec file or preset (default: MODEL.pipeline.json, then the model's "
                  "'infera.pipeline' metadata)");
  cmd->add_option("--top-k", args->top_k, "how many best classes to show")->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", args->batch, "images per run")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->threads, "threads (0: the cores this process may use)");
  cmd->add_flag("--deterministic", args->deterministic,
                "same bits for any thread count and batch size (see docs/DECISIONS.md)");
  cmd->add_flag("--json", args->json, "one JSON object per line");
  cmd->add_option("--max-pixels", args->max_pixels, "refuse images declaring more pixels (decompression bombs)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--verbose", args->verbose, "log the spec's source and tensor shapes to stderr");
  std::shared_ptr<BatchPredictArgs> batch = add_batch_predict_options(cmd);
  return [args, batch]() {
    if (args->inputs.empty() == batch->data.empty())
      throw Error(ErrorKind::kInvalidArgument, "give image files or --data SPEC (not both)");
    SessionOptions options;
    options.threads = args->threads;
    options.deterministic = args->deterministic;
    Pipeline pipeline = Pipeline::load(args->model, args->pipeline, options);
    if (args->top_k > 0) pipeline.mutable_spec().top_k = args->top_k;
    pipeline.set_decode_limits(DecodeLimits{args->max_pixels});
    if (args->verbose) {
      std::fprintf(stderr, "pipeline spec: %s\n", pipeline.spec().source.c_str());
      std::fprintf(stderr, "model input: %s\n", pipeline.session().inputs()[0].describe().c_str());
      std::fprintf(stderr, "model output: %s\n", pipeline.session().outputs()[0].describe().c_str());
    }
    if (!batch->data.empty()) return run_batch_prediction(pipeline, *batch, args->batch);
    const std::vector<std::string> files = expand_inputs(args->inputs);
    int failed = 0;
    const std::vector<Prediction> answers = pipeline.predict_files(files, args->batch);
    for (const Prediction& p : answers) {
      if (!p.ok()) {
        ++failed;
        // Decoder errors already name the file; others get it in front.
        const bool named = p.error.find(p.source) != std::string::npos;
        std::fprintf(stderr, "infera: %s%s%s\n", named ? "" : p.source.c_str(), named ? "" : ": ",
                     p.error.c_str());
        if (args->json) std::printf("%s\n", prediction_json(p).dump().c_str());
        continue;
      }
      if (args->verbose)
        std::fprintf(stderr, "%s: image %dx%dx%d -> input %s\n", p.source.c_str(), p.image_width,
                     p.image_height, p.image_channels, nlohmann::json(p.input_shape).dump().c_str());
      std::printf("%s\n", args->json ? prediction_json(p).dump().c_str() : prediction_text(p).c_str());
    }
    print_pipeline_warnings(pipeline, answers);
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace infera::cli
