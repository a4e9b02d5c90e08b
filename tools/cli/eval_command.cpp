// `infera eval MODEL --data SPEC`: a labelled dataset streamed through the model's pipeline,
// then the metrics of its task (docs/EVAL.md). The work is in src/data and src/eval; this file
// parses options and prints.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "eval/eval_json.h"
#include "eval_report.h"
#include "infera/pipeline.h"
#include "report/evaluation_report.h"

namespace infera::cli {
namespace {

// The reference framework's count of correct answers must equal ours.
int check_reference(const std::string& path, int64_t correct) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, "cannot read " + path);
  const nlohmann::json ref = nlohmann::json::parse(in, nullptr, false);
  if (ref.is_discarded() || !ref.contains("correct") || !ref["correct"].is_number_integer())
    throw Error(ErrorKind::kInvalidArgument, path + ": expected JSON with an integer \"correct\"");
  const int64_t want = ref["correct"].get<int64_t>();
  std::printf("reference: %lld correct (%s) -> %s\n", static_cast<long long>(want), path.c_str(),
              want == correct ? "identical" : "DIFFERENT");
  return want == correct ? 0 : 1;
}

}  // namespace

Action add_eval_command(CLI::App& app) {
  struct Args {
    std::string model, data, pipeline, json, reference, report, grid = "4x4";
    uint64_t seed = 0;
    int top_k = 0, batch = 64, threads = 0;
    int64_t limit = -1;
    size_t errors = 0;
    bool strict = false, quiet = false, samples = false, deterministic = true;
    std::string precision = "f32";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("eval", "Metrics of a model on labelled data");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option(
         "--data", args->data,
         "idx:PREFIX | folder:DIR | list:FILE.csv|.jsonl | csv:FILE?target=COL[&features=A,B] | "
         "npy:INPUTS.npy,TARGETS.npy")
      ->required();
  cmd->add_option("--pipeline", args->pipeline,
                  "pipeline spec file or preset (default: beside the model)");
  cmd->add_option("--json", args->json, "write every metric to this JSON file");
  cmd->add_flag("--json-samples", args->samples, "with --json: also every sample's prediction");
  cmd->add_option("--top-k", args->top_k, "k for top-k accuracy (default: the spec's top_k, or 5)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", args->batch, "records per run of the model")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--limit", args->limit, "evaluate only the first N records")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--errors", args->errors, "list the N most confident mistakes");
  cmd->add_flag("--strict", args->strict, "stop at the first bad record instead of skipping it");
  cmd->add_flag("--quiet", args->quiet, "no progress display");
  cmd->add_option("--report", args->report,
                  "write figures (prediction grid, confusion matrix, reliability diagram or "
                  "scatter), report.json and index.html into this folder");
  cmd->add_option("--grid", args->grid, "the prediction grid's ROWSxCOLS (with --report)")
      ->check([](const std::string& value) -> std::string {
        int rows = 0, cols = 0;
        char x = 0, extra = 0;
        if (std::sscanf(value.c_str(), "%d%c%d%c", &rows, &x, &cols, &extra) != 3 || x != 'x' ||
            rows < 1 || cols < 1 || rows * cols > 400)
          return "expected ROWSxCOLS such as 4x4 (at most 400 images), got '" + value + "'";
        return "";
      });
  cmd->add_option("--seed", args->seed, "which samples the grid shows (with --report)");
  cmd->add_option("--reference", args->reference,
                  "JSON with the reference framework's {\"correct\": N}: fail unless equal");
  cmd->add_option("--threads", args->threads, "threads (0: the cores this process may use)");
  cmd->add_flag(
      "--deterministic,!--nondeterministic", args->deterministic,
      "same bits whatever the thread count and batch, and one thread while that is faster "
      "(the default; docs/DECISIONS.md)");
  cmd->add_option("--precision", args->precision, "f32 or bf16 (Conv/MatMul/Gemm)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  return [args]() {
    SessionOptions options;
    options.threads = args->threads;
    options.deterministic = args->deterministic;
    options.bf16 = args->precision == "bf16";
    const Pipeline pipeline = Pipeline::load(args->model, args->pipeline, options);
    std::unique_ptr<Dataset> data = open_dataset(args->data);
    EvalProgress progress(stderr);
    EvalOptions eval;
    eval.batch_size = args->batch;
    eval.limit = args->limit;
    eval.top_k = args->top_k;
    eval.strict = args->strict;
    eval.on_skip = [](const BadRecord& bad) { std::fprintf(stderr, "skipped %s\n", bad.what()); };
    if (!args->quiet)
      eval.on_progress = [&](int64_t done, int64_t total) { progress.update(done, total); };
    const EvalResult result = evaluate(pipeline, *data, eval);
    progress.finish();
    print_eval_report(stdout, result);
    if (args->errors > 0) print_confident_mistakes(stdout, result, args->errors);
    if (!args->json.empty()) {
      std::ofstream out(args->json);
      out << eval_result_to_json(result, args->samples).dump(2) << "\n";
      if (!out) throw Error(ErrorKind::kIo, "cannot write " + args->json);
    }
    if (!args->report.empty()) {
      report::EvaluationReportOptions report;
      report.title = std::filesystem::path(args->model).stem().string() + " on " + args->data;
      report.data_spec = args->data;
      std::sscanf(args->grid.c_str(), "%dx%d", &report.grid_rows, &report.grid_cols);
      report.grid_seed = args->seed;
      const report::ReportFiles files =
          report::write_evaluation_report(args->report, result, report);
      std::printf("report: %s\n", files.html_path.c_str());
    }
    if (!args->reference.empty()) {
      if (!result.classification)
        throw Error(ErrorKind::kInvalidArgument,
                    "--reference compares correct answers: a classification task only");
      return check_reference(args->reference, result.classification->correct);
    }
    return 0;
  };
}

}  // namespace infera::cli
