// `infera predict MODEL FILE...`: image files through the model's pipeline spec to answers.
// Directories expand to the image files in them (sorted); globs are the shell's job. A file
// that fails prints an error line naming it, the others still get answers, and the exit code
// is then 1.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "batch_predict.h"
#include "cli.h"
#include "infera/pipeline.h"

namespace infera::cli {
namespace {

bool looks_like_image(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
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
      if (entry.is_regular_file() && looks_like_image(entry.path()))
        found.push_back(entry.path().string());
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
  nlohmann::json out = {{"file", p.source},
                        {"label", p.label},
                        {"index", p.index},
                        {"confidence", p.confidence},
                        {"top_k", scored_json(p.top_k)},
                        {"input_shape", p.input_shape},
                        {"views", p.views},
                        {"image", {p.image_width, p.image_height, p.image_channels}},
                        {"timings_ms",
                         {{"decode", p.timings.decode_ms},
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

// One decode worker per four cores, at least one: the engine's --threads do the heavy work,
// and decoding a batch takes a fraction of running the model on it.
int default_decode_threads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores / 4, 1, 4);
}

TtaSpec tta_from_options(const PipelineSpec& spec, const std::string& mode,
                         const std::string& merge, const std::vector<int>& scales) {
  TtaSpec tta = spec.tta;
  if (!mode.empty()) {
    if (!is_tta_mode(mode))
      throw Error(ErrorKind::kInvalidArgument,
                  "--tta must be one of " + tta_mode_names() + ", got '" + mode + "'");
    tta.mode = parse_tta_mode(mode);
    // The spec's sizes belong to the spec's mode.
    if (tta.mode != spec.tta.mode) tta.scales.clear(), tta.resize = 0;
  }
  if (!merge.empty()) {
    if (!is_tta_merge(merge))
      throw Error(ErrorKind::kInvalidArgument,
                  "--tta-merge must be one of " + tta_merge_names() + ", got '" + merge + "'");
    tta.merge = parse_tta_merge(merge);
  }
  if (!scales.empty()) tta.scales = scales;
  return tta;
}

void print_timings(const PredictStats& s, int decode_threads) {
  const double seconds = s.wall_ms / 1000.0;
  std::fprintf(stderr,
               "timings: %lld images (%lld failed, %lld views) in %lld batches, %.3f s, %.1f "
               "images/s\n"
               "  decode workers (%d, overlapping the model): decode %.3f s, preprocess %.3f s, "
               "to tensor %.3f s\n"
               "  main thread: inference %.3f s, postprocess %.3f s, output %.3f s, waiting for "
               "decode %.3f s\n",
               static_cast<long long>(s.images), static_cast<long long>(s.failed),
               static_cast<long long>(s.views), static_cast<long long>(s.batches), seconds,
               seconds > 0 ? s.images / seconds : 0.0, decode_threads, s.decode_ms / 1000.0,
               s.preprocess_ms / 1000.0, s.tensor_ms / 1000.0, s.inference_ms / 1000.0,
               s.postprocess_ms / 1000.0, s.answer_ms / 1000.0, s.wait_ms / 1000.0);
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
    int decode_threads = 0;
    std::string tta, tta_merge;
    std::vector<int> tta_scales;
    bool deterministic = true;
    bool json = false;
    bool verbose = false;
    bool timings = false;
    uint64_t max_pixels = DecodeLimits{}.max_pixels;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd =
      app.add_subcommand("predict", "Classify or score image files through the model's pipeline");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("files", args->inputs, "image files or directories of them");
  cmd->add_option("--pipeline", args->pipeline,
                  "pipeline spec file or preset (default: MODEL.pipeline.json, then the model's "
                  "'infera.pipeline' metadata)");
  cmd->add_option("--top-k", args->top_k, "how many best classes to show")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--batch-size", args->batch, "images per run")->check(CLI::Range(1, 100000));
  cmd->add_option("--threads", args->threads, "threads (0: the cores this process may use)");
  cmd->add_option("--decode-threads", args->decode_threads,
                  "threads decoding the next batches while the model runs (0: one per 4 cores)")
      ->check(CLI::Range(0, 64));
  cmd->add_option("--tta", args->tta,
                  "test-time augmentation: none, flip, five_crop, ten_crop, multi_scale "
                  "(default: the spec's)");
  cmd->add_option("--tta-merge", args->tta_merge,
                  "mean_probabilities (default), max_probabilities or mean_logits");
  cmd->add_option("--tta-scales", args->tta_scales, "multi_scale sizes, e.g. 256,288,320")
      ->delimiter(',')
      ->check(CLI::Range(1, 100000));
  cmd->add_flag(
      "--deterministic,!--nondeterministic", args->deterministic,
      "same bits whatever the thread count and batch, and one thread while that is faster "
      "(the default; docs/DECISIONS.md)");
  cmd->add_flag("--json", args->json, "one JSON object per line");
  cmd->add_option("--max-pixels", args->max_pixels,
                  "refuse images declaring more pixels (decompression bombs)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--verbose", args->verbose,
                "log the spec's source, tensor shapes and each file's confidence to stderr");
  cmd->add_flag("--timings", args->timings, "print where the time went to stderr");
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
    pipeline.set_tta(
        tta_from_options(pipeline.spec(), args->tta, args->tta_merge, args->tta_scales));
    if (args->verbose) {
      std::fprintf(stderr, "pipeline spec: %s\n", pipeline.spec().source.c_str());
      std::fprintf(stderr, "model input: %s\n", pipeline.session().inputs()[0].describe().c_str());
      std::fprintf(stderr, "model output: %s\n",
                   pipeline.session().outputs()[0].describe().c_str());
      std::fprintf(stderr, "test-time augmentation: %s, %d view(s) per image\n",
                   tta_mode_name(pipeline.spec().tta.mode), pipeline.views_per_image());
    }
    if (!batch->data.empty()) return run_batch_prediction(pipeline, *batch, args->batch);
    const std::vector<std::string> files = expand_inputs(args->inputs);
    PredictOptions predict;
    predict.batch_size = args->batch;
    predict.decode_threads =
        args->decode_threads > 0 ? args->decode_threads : default_decode_threads();
    int failed = 0;
    std::vector<Prediction> answers;  // kept for the diagnostics after the last answer
    const PredictStats stats = pipeline.predict_stream(files, predict, [&](const Prediction& p) {
      answers.push_back(p);
      if (!p.ok()) {
        ++failed;
        // Decoder errors already name the file; others get it in front.
        const bool named = p.error.find(p.source) != std::string::npos;
        std::fprintf(stderr, "infera: %s%s%s\n", named ? "" : p.source.c_str(), named ? "" : ": ",
                     p.error.c_str());
        if (args->json) std::printf("%s\n", prediction_json(p).dump().c_str());
        return;
      }
      if (args->verbose)
        std::fprintf(stderr, "%s: image %dx%dx%d -> input %s x %d view(s): %s %.4f\n",
                     p.source.c_str(), p.image_width, p.image_height, p.image_channels,
                     nlohmann::json(p.input_shape).dump().c_str(), p.views, p.label.c_str(),
                     p.confidence);
      std::printf("%s\n",
                  args->json ? prediction_json(p).dump().c_str() : prediction_text(p).c_str());
    });
    std::fflush(stdout);
    print_pipeline_warnings(pipeline, answers);
    if (args->timings) print_timings(stats, predict.decode_threads);
    return failed > 0 ? 1 : 0;
  };
}

}  // namespace infera::cli
