// `infera pipeline embed|show|check`: put a pipeline spec inside a model, see which spec a model
// gets and from where, and check a spec against a model without reading any image.
#include <cstdio>

#include "cli.h"
#include "infera/pipeline.h"
#include "onnx/model_metadata.h"
#include "onnx/onnx_reader.h"

namespace infera::cli {
namespace {

constexpr const char* kMetadataKey = "infera.pipeline";

void print_warnings(const std::vector<Diagnostic>& diagnostics) {
  std::fflush(stdout);  // warnings come after the answers they are about
  for (const Diagnostic& d : diagnostics)
    std::fprintf(stderr, "infera: warning: %s\n", d.message.c_str());
}

int embed(const std::string& model, const std::string& spec_name, std::string out) {
  // The spec is validated first: a spec that cannot fit never gets into a model.
  Pipeline pipeline = Pipeline::load(model, spec_name);
  if (out.empty()) out = model;
  const std::string text = pipeline_spec_to_json(pipeline.spec(), 1);
  write_model_with_metadata(model, out, kMetadataKey, text);
  // Prove the result: it loads, and its embedded spec is the one just written.
  const Session written = Session::load(out);
  bool found = false;
  for (const auto& [key, value] : written.info().metadata)
    found = found || (key == kMetadataKey && value == text);
  if (!found) throw Error(ErrorKind::kInternal, out + ": the embedded spec did not read back");
  std::printf("embedded %s (%zu bytes of JSON) in %s under metadata key '%s'\n",
              pipeline.spec().source.c_str(), text.size(), out.c_str(), kMetadataKey);
  return 0;
}

int show(const std::string& model, const std::string& spec_name) {
  Pipeline pipeline = Pipeline::load(model, spec_name);
  std::printf("source: %s\n%s\n", pipeline.spec().source.c_str(),
              pipeline_spec_to_json(pipeline.spec(), 2).c_str());
  return 0;
}

// With sample images, also the input-range scores of the spec and its alternatives.
int check(const std::string& model, const std::string& spec_name,
          const std::vector<std::string>& files) {
  Pipeline pipeline = Pipeline::load(model, spec_name);
  std::printf("ok: %s fits %s (input %s, output %s)\n", pipeline.spec().source.c_str(),
              model.c_str(), pipeline.session().inputs()[0].describe().c_str(),
              pipeline.session().outputs()[0].describe().c_str());
  print_warnings(pipeline.model_diagnostics());
  if (files.empty()) return 0;
  std::vector<Image> images;
  for (const std::string& file : files)
    images.push_back(pipeline.preprocess(read_image_file(file)));
  const InputRangeReport report =
      measure_input_range(*read_onnx_model(model), pipeline.spec(), images);
  if (report.layer.empty()) {
    std::printf(
        "input range: no BatchNormalization statistics after the first layer to compare with\n");
    return 0;
  }
  std::printf("input range on %zu images against %s (mismatch: 0 is a perfect fit):\n",
              images.size(), report.layer.c_str());
  for (const InputRangeCandidate& c : report.candidates)
    std::printf("  %-58s %-22s %10.3f\n", c.name.c_str(), c.range.c_str(), c.mismatch);
  print_warnings(input_range_warnings(report, pipeline.spec()));
  return 0;
}

}  // namespace

void print_pipeline_warnings(const Pipeline& pipeline, const std::vector<Prediction>& answers) {
  print_warnings(pipeline.model_diagnostics());
  print_warnings(pipeline.file_diagnostics(answers));
}

Action add_pipeline_command(CLI::App& app) {
  struct Args {
    std::string model;
    std::string spec;
    std::string out;
    std::vector<std::string> images;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("pipeline", "Embed, show or check a model's pipeline spec");
  cmd->require_subcommand(1);
  CLI::App* embed_cmd =
      cmd->add_subcommand("embed", "Write the model with SPEC in its 'infera.pipeline' metadata");
  embed_cmd->add_option("model", args->model, "ONNX model file")->required();
  embed_cmd->add_option("spec", args->spec, "pipeline spec file or preset")->required();
  embed_cmd->add_option("-o,--output", args->out, "where to write the model (default: in place)");
  CLI::App* show_cmd =
      cmd->add_subcommand("show", "Print the spec a model gets, and where it comes from");
  show_cmd->add_option("model", args->model, "ONNX model file")->required();
  show_cmd->add_option("--pipeline", args->spec, "pipeline spec file or preset to use instead");
  CLI::App* check_cmd =
      cmd->add_subcommand("check", "Check that SPEC fits the model; warn about the model");
  check_cmd->add_option("model", args->model, "ONNX model file")->required();
  check_cmd->add_option("spec", args->spec, "pipeline spec file or preset")->required();
  check_cmd->add_option(
      "images", args->images,
      "sample images: score the spec's input range against the model's first layer");
  return [args, embed_cmd, show_cmd]() {
    if (embed_cmd->parsed()) return embed(args->model, args->spec, args->out);
    if (show_cmd->parsed()) return show(args->model, args->spec);
    return check(args->model, args->spec, args->images);
  };
}

}  // namespace infera::cli
