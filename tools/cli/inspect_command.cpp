// `infera inspect MODEL [--json]`: what a model takes, gives and contains; with --sample FILE
// --dump-activations DIR, every intermediate tensor of one prediction (dump_activations.h).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "dump_activations.h"
#include "infera/infera.h"

namespace infera::cli {
namespace {

nlohmann::json io_json(const TensorInfo& t) {
  nlohmann::json dims = nlohmann::json::array();
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (t.shape[i] >= 0) {
      dims.push_back(t.shape[i]);
    } else {
      dims.push_back(t.dim_names[i].empty() ? nlohmann::json(nullptr)
                                            : nlohmann::json(t.dim_names[i]));
    }
  }
  return {{"name", t.name},
          {"kind", t.kind},
          {"dtype", dtype_name(t.dtype)},
          {"shape", t.has_shape ? dims : nlohmann::json(nullptr)}};
}

nlohmann::json model_json(const Session& s) {
  const ModelInfo& info = s.info();
  nlohmann::json j;
  j["ir_version"] = info.ir_version;
  j["producer"] = info.producer;
  j["graph"] = info.graph_name;
  for (const OpsetInfo& o : info.opsets) j["opsets"][o.domain] = o.version;
  for (const TensorInfo& t : s.inputs()) j["inputs"].push_back(io_json(t));
  for (const TensorInfo& t : s.outputs()) j["outputs"].push_back(io_json(t));
  j["nodes"] = info.node_count;
  j["op_counts"] = info.op_counts;
  j["parameters"] = info.parameter_count;
  j["parameter_bytes"] = info.parameter_bytes;
  j["metadata"] = nlohmann::json::object();
  for (const auto& [k, v] : info.metadata) j["metadata"][k] = v;
  return j;
}

void print_text(const std::string& path, const Session& s) {
  const ModelInfo& info = s.info();
  std::printf("model: %s\n  ir_version %lld, producer '%s', graph '%s'\n  opsets:", path.c_str(),
              static_cast<long long>(info.ir_version), info.producer.c_str(),
              info.graph_name.c_str());
  for (const OpsetInfo& o : info.opsets)
    std::printf(" %s %lld", o.domain.c_str(), static_cast<long long>(o.version));
  std::printf("\ninputs:\n");
  for (const TensorInfo& t : s.inputs())
    std::printf("  %s: %s\n", t.name.c_str(), t.describe().c_str());
  std::printf("outputs:\n");
  for (const TensorInfo& t : s.outputs())
    std::printf("  %s: %s\n", t.name.c_str(), t.describe().c_str());
  std::printf("operators (%d nodes):\n", info.node_count);
  for (const auto& [op, count] : info.op_counts) std::printf("  %-28s %d\n", op.c_str(), count);
  std::printf("parameters: %lld (%.2f MB)\n", static_cast<long long>(info.parameter_count),
              static_cast<double>(info.parameter_bytes) / 1e6);
  if (!info.metadata.empty()) {
    std::printf("metadata:\n");
    for (const auto& [k, v] : info.metadata) std::printf("  %s: %s\n", k.c_str(), v.c_str());
  }
}

}  // namespace

Action add_inspect_command(CLI::App& app) {
  struct Args {
    std::string model;
    bool json = false;
    DumpRequest dump;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show a model's inputs, outputs, opsets and ops");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_flag("--json", args->json, "print JSON");
  CLI::Option* sample =
      cmd->add_option("--sample", args->dump.sample, "one input: a .npy tensor or an image file");
  CLI::Option* dump_dir =
      cmd->add_option("--dump-activations", args->dump.out_dir,
                      "write every intermediate tensor of --sample here as NPY");
  sample->needs(dump_dir);
  dump_dir->needs(sample);
  cmd->add_option("--pipeline", args->dump.pipeline, "pipeline spec for an image --sample")
      ->needs(sample);
  cmd->add_flag("--optimized", args->dump.optimized,
                "dump the optimized graph (fused nodes) instead of the file's nodes")
      ->needs(dump_dir);
  return [args]() {
    if (!args->dump.out_dir.empty()) {
      args->dump.model = args->model;
      return dump_activations(args->dump);
    }
    Session session = Session::load(args->model);
    if (args->json) {
      std::printf("%s\n", model_json(session).dump(2).c_str());
    } else {
      print_text(args->model, session);
    }
    return 0;
  };
}

}  // namespace infera::cli
