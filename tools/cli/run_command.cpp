// `infera run MODEL --input NAME=FILE.npy ... --output-dir DIR`: raw tensors in and out.
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli.h"
#include "infera/infera.h"
#include "io/npy.h"

namespace infera::cli {

Action add_run_command(CLI::App& app) {
  struct Args {
    std::string model;
    std::vector<std::string> inputs;
    std::string output_dir = ".";
    int threads = 0;
    bool deterministic = true;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("run", "Run a model on NPY tensors and write NPY outputs");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--input,-i", args->inputs, "NAME=FILE.npy, once per model input");
  cmd->add_option("--output-dir,-o", args->output_dir, "folder for <output name>.npy files");
  cmd->add_option("--threads", args->threads, "threads (0: the cores this process may use)");
  cmd->add_flag(
      "--deterministic,!--nondeterministic", args->deterministic,
      "same bits whatever the thread count and batch, and one thread while that is faster "
      "(the default; docs/DECISIONS.md)");
  return [args]() {
    SessionOptions options;
    options.threads = args->threads;
    options.deterministic = args->deterministic;
    Session session = Session::load(args->model, options);
    std::map<std::string, Tensor> feeds;
    for (const std::string& spec : args->inputs) {
      const size_t eq = spec.find('=');
      if (eq == std::string::npos && session.inputs().size() == 1) {
        feeds[session.inputs()[0].name] = read_npy(spec);  // one input needs no name
        continue;
      }
      if (eq == std::string::npos || eq == 0)
        throw Error(ErrorKind::kInvalidArgument,
                    "--input expects NAME=FILE.npy, got '" + spec + "'");
      feeds[spec.substr(0, eq)] = read_npy(spec.substr(eq + 1));
    }
    std::vector<Tensor> outputs = session.run(feeds);
    std::filesystem::create_directories(args->output_dir);
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string name = session.outputs()[i].name;
      for (char& c : name)
        if (c == '/' || c == '\\' || c == ':') c = '_';
      const std::string path = (std::filesystem::path(args->output_dir) / (name + ".npy")).string();
      write_npy(path, outputs[i]);
      std::printf("%s: %s %s -> %s\n", session.outputs()[i].name.c_str(),
                  dtype_name(outputs[i].dtype()), shape_to_string(outputs[i].shape()).c_str(),
                  path.c_str());
    }
    return 0;
  };
}

}  // namespace infera::cli
