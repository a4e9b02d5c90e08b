// `infera bench MODEL [--batch N] [--threads N] [--iterations N] [--warmup N] [--json]
// [--profile] [--precision f32|bf16] [--reference] [--shape NAME=d0,d1,...]
// [--input NAME=FILE.npy] [--save-output DIR] [--save-inputs DIR] [--busy-core]`: latency,
// throughput and memory.
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include "bench_busy_core.h"
#include "bench_measure.h"
#include "cli.h"

namespace infera::cli {
namespace {

// Splits "NAME=VALUE"; the error names the option and what came.
std::pair<std::string, std::string> split_assignment(const std::string& option,
                                                     const std::string& text,
                                                     const std::string& expected) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw Error(ErrorKind::kInvalidArgument,
                option + " expects " + expected + ", got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

Shape parse_dims(const std::string& spec) {
  const auto [name, dims] = split_assignment("--shape", spec, "NAME=d0,d1,...");
  Shape shape;
  std::stringstream stream(dims);
  std::string item;
  while (std::getline(stream, item, ',')) {
    size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || value < 0)
      throw Error(ErrorKind::kInvalidArgument,
                  "--shape expects NAME=d0,d1,... with dims >= 0, got '" + spec + "'");
    shape.push_back(value);
  }
  return shape;
}

}  // namespace

Action add_bench_command(CLI::App& app) {
  struct Args {
    bench::BenchConfig config;
    std::string precision = "f32";
    std::vector<std::string> shapes;
    std::vector<std::string> inputs;
    bool json = false;
    bool busy_core = false;
    int busy_cpu = -1;
  };
  auto args = std::make_shared<Args>();
  bench::BenchConfig& config = args->config;
  CLI::App* cmd = app.add_subcommand("bench", "Measure load time, latency, throughput and memory");
  cmd->add_option("model", config.model, "ONNX model file")->required();
  cmd->add_option("--batch,-b", config.batch, "value of each input's dynamic batch dimension");
  cmd->add_option("--threads", config.options.threads,
                  "threads (0: the cores this process may use)");
  cmd->add_option("--iterations,-n", config.iterations, "measured runs");
  cmd->add_option("--warmup", config.warmup,
                  "unmeasured runs after the first (if any: on until the thread count settles)");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->add_flag("--profile", config.profile, "time per node and per op type");
  cmd->add_option("--precision", args->precision, "f32 or bf16 (Conv/MatMul/Gemm)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  cmd->add_flag("--reference", config.options.reference_kernels, "plain reference kernels only");
  cmd->add_flag(
      "--deterministic,!--nondeterministic", config.options.deterministic,
      "same bits whatever the thread count and batch, and one thread while that is faster "
      "(the default; docs/DECISIONS.md)");
  cmd->add_option("--shape", args->shapes, "NAME=d0,d1,... for inputs with symbolic dims");
  cmd->add_option("--input,-i", args->inputs, "NAME=FILE.npy: use this tensor, not random data");
  cmd->add_option("--save-output", config.save_output_dir,
                  "write the last run's outputs as DIR/<output name>.npy");
  cmd->add_option("--save-inputs", config.save_input_dir,
                  "write the inputs used as DIR/<input name>.npy (to feed another runtime)");
  cmd->add_flag("--busy-core", args->busy_core,
                "keep one core busy with a spinning process while measuring");
  cmd->add_option("--busy-cpu", args->busy_cpu, "the core --busy-core burns (default: the last)");
  return [args]() {
    bench::BenchConfig& config = args->config;
    config.options.bf16 = args->precision == "bf16";
    for (const std::string& spec : args->shapes) {
      const std::string name = spec.substr(0, spec.find('='));
      config.shapes[name] = parse_dims(spec);
    }
    for (const std::string& spec : args->inputs) {
      const auto [name, path] = split_assignment("--input", spec, "NAME=FILE.npy");
      config.npy_inputs[name] = path;
    }
    std::optional<bench::BusyCore> busy;
    if (args->busy_core) {
      // Bounded so that a hung benchmark cannot leave a core burning for long.
      constexpr int kBusyCoreMaxSeconds = 600;
      busy.emplace(args->busy_cpu, kBusyCoreMaxSeconds);
    }
    bench::BenchResult result = bench::run_bench(config);
    if (busy) {
      result.busy_core = true;
      result.busy_cpu = busy->cpu();
    }
    const std::string text = args->json ? bench::format_json(result) : bench::format_text(result);
    std::fputs(text.c_str(), stdout);
    return 0;
  };
}

}  // namespace infera::cli
