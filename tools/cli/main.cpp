#include <cstdio>
#include <exception>
#include <map>

#include "cli.h"
#include "infera/error.h"

int main(int argc, char** argv) {
  CLI::App app{"infera: run trained ONNX models"};
  app.require_subcommand(1);
  std::map<CLI::App*, infera::cli::Action> actions;
  auto add = [&](infera::cli::Action (*setup)(CLI::App&)) {
    const size_t before = app.get_subcommands({}).size();
    infera::cli::Action action = setup(app);
    actions[app.get_subcommands({})[before]] = std::move(action);
  };
  add(infera::cli::add_run_command);
  add(infera::cli::add_inspect_command);
  add(infera::cli::add_eval_command);
  add(infera::cli::add_ops_command);
  add(infera::cli::add_predict_command);
  add(infera::cli::add_bench_command);
  add(infera::cli::add_pipeline_command);
  add(infera::cli::add_serve_command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
      return app.exit(e);  // --help
    // A usage error is one line naming the option, like every other error.
    std::fprintf(stderr, "infera: %s (see --help)\n", e.what());
    return 1;
  }
  try {
    for (auto& [sub, action] : actions)
      if (sub->parsed()) return action();
  } catch (const infera::Error& e) {
    std::fprintf(stderr, "infera: %s\n", e.what());
    return e.kind() == infera::ErrorKind::kInternal ? 2 : 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "infera: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "infera: internal error: %s\n", e.what());
    return 2;
  }
  return 2;
}
