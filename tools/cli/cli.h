// The `infera` command line: a thin layer over the library. Each subcommand lives in its own
// file and registers itself on the CLI11 app; main() maps errors to exit codes
// (0 ok, 1 a user error with one line naming what was expected and what came, 2 a bug).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace infera {
class Pipeline;
struct Prediction;
}  // namespace infera

namespace infera::cli {

// Each subcommand's setup function adds its options and returns the action to run.
using Action = std::function<int()>;
Action add_run_command(CLI::App& app);
Action add_inspect_command(CLI::App& app);
Action add_eval_command(CLI::App& app);
Action add_ops_command(CLI::App& app);
Action add_predict_command(CLI::App& app);
Action add_bench_command(CLI::App& app);
Action add_pipeline_command(CLI::App& app);
Action add_serve_command(CLI::App& app);

// `infera: warning: ...` on stderr for each of the pipeline's diagnostics (model and inputs).
void print_pipeline_warnings(const Pipeline& pipeline, const std::vector<Prediction>& answers);

}  // namespace infera::cli
