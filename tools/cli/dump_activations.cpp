#include "dump_activations.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "infera/pipeline.h"
#include "io/npy.h"
#include "ops/cast_elements.h"

namespace infera::cli {
namespace {

struct TensorSummary {
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
  int64_t nan_count = 0;
  int64_t inf_count = 0;
};

// Statistics over the finite elements; NaN and Inf are counted apart, since one of them is
// usually what a user is hunting for.
TensorSummary summarize(const Tensor& t) {
  TensorSummary s;
  if (!cast_supported(t.dtype(), DType::kFloat64) || t.numel() == 0) return s;
  Tensor wide = Tensor::empty(DType::kFloat64, t.shape());
  cast_elements(t, wide);
  const double* v = wide.data<double>();
  double sum = 0, lo = INFINITY, hi = -INFINITY;
  int64_t finite = 0;
  for (int64_t i = 0; i < wide.numel(); ++i) {
    if (std::isnan(v[i])) {
      ++s.nan_count;
      continue;
    }
    if (std::isinf(v[i])) {
      ++s.inf_count;
      continue;
    }
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
    sum += v[i];
    ++finite;
  }
  if (finite > 0) {
    s.min = lo;
    s.max = hi;
    s.mean = sum / static_cast<double>(finite);
  }
  return s;
}

// Value names may hold '/', ':' and the like (PyTorch exports "/layer1/conv/Conv_output_0").
std::string file_safe(const std::string& name) {
  std::string out;
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  while (!out.empty() && out.front() == '_') out.erase(out.begin());
  return out.empty() ? "value" : out;
}

nlohmann::json finite_or_null(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

}  // namespace

int dump_activations(const DumpRequest& request) {
  SessionOptions options;
  options.optimize = request.optimized;
  Session loaded = Session::load(request.model, options);
  // An image goes through the model's pipeline spec, which then owns the session.
  std::optional<Pipeline> pipeline;
  Tensor input;
  if (std::filesystem::path(request.sample).extension() == ".npy") {
    input = read_npy(request.sample);
  } else {
    PipelineSpec spec = find_pipeline_spec(request.model, loaded, request.pipeline);
    pipeline.emplace(std::move(loaded), std::move(spec));
    const Image image = pipeline->preprocess(read_image_file(request.sample));
    input = images_to_tensor({image}, pipeline->tensor_options());
  }
  const Session& session = pipeline ? pipeline->session() : loaded;
  if (session.inputs().size() != 1)
    throw Error(ErrorKind::kInvalidArgument, "--sample gives one input, but the model takes " +
                                                 std::to_string(session.inputs().size()));
  std::filesystem::create_directories(request.out_dir);

  nlohmann::json summary = nlohmann::json::array();
  int index = 0;
  auto record = [&](const std::string& node, const std::string& op, const std::string& name,
                    const Value& value) {
    nlohmann::json entry = {{"index", index}, {"node", node}, {"op", op}, {"name", name}};
    if (!value.is_tensor() || !value.tensor.has_data()) {
      entry["skipped"] = value.is_tensor() ? "no data" : "not a tensor";
      summary.push_back(entry);
      ++index;
      return;
    }
    const Tensor& t = value.tensor;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%04d_", index++);
    const std::string file = prefix + file_safe(name) + ".npy";
    const bool writable = t.dtype() != DType::kBFloat16 && t.dtype() != DType::kString;
    if (writable) write_npy((std::filesystem::path(request.out_dir) / file).string(), t);
    const TensorSummary s = summarize(t);
    entry.update({{"file", writable ? nlohmann::json(file) : nlohmann::json(nullptr)},
                  {"dtype", dtype_name(t.dtype())},
                  {"shape", t.shape()},
                  {"min", finite_or_null(s.min)},
                  {"max", finite_or_null(s.max)},
                  {"mean", finite_or_null(s.mean)},
                  {"nan", s.nan_count},
                  {"inf", s.inf_count}});
    summary.push_back(entry);
    std::printf("%-5d %-22s %-44s %-18s min %-11.4g max %-11.4g mean %-11.4g%s\n", index - 1,
                op.c_str(), name.c_str(), shape_to_string(t.shape()).c_str(), s.min, s.max, s.mean,
                s.nan_count || s.inf_count ? ("  NaN " + std::to_string(s.nan_count) + " Inf " +
                                              std::to_string(s.inf_count))
                                                 .c_str()
                                           : "");
  };

  record("(input)", "input", session.inputs()[0].name, Value(input));
  session.run_observed({Value(input)}, [&](const NodeOutputs& node) {
    for (size_t i = 0; i < node.names.size(); ++i)
      record(node.node, node.op, node.names[i], *node.values[i]);
  });
  std::ofstream(std::filesystem::path(request.out_dir) / "summary.json") << summary.dump(2) << "\n";
  std::printf("%d tensors written to %s (summary.json lists them)\n", index,
              request.out_dir.c_str());
  return 0;
}

}  // namespace infera::cli
