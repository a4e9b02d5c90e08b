#include "bench_measure.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/npy.h"

namespace infera::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string file_safe(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || c == ':') c = '_';
  return name;
}

// Groups per-node times by `key` and returns the groups slowest first.
template <typename KeyFn>
std::vector<ProfileRow> group_profile(const std::vector<std::vector<NodeProfile>>& runs,
                                      KeyFn key) {
  std::map<std::string, ProfileRow> groups;
  for (size_t r = 0; r < runs.size(); ++r) {
    for (const NodeProfile& node : runs[r]) {
      ProfileRow& row = groups[key(node)];
      if (row.op.empty()) row = ProfileRow{node.op, node.kernel, node.shape, 0, 0};
      if (r == 0) ++row.nodes;  // every run executes the same steps
      row.seconds += node.seconds;
    }
  }
  std::vector<ProfileRow> rows;
  for (auto& [_, row] : groups) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(),
                   [](const ProfileRow& a, const ProfileRow& b) { return a.seconds > b.seconds; });
  return rows;
}

std::vector<Value> build_inputs(const Session& session, const BenchConfig& config,
                                BenchResult& result) {
  std::vector<Value> inputs;
  uint64_t seed = 1;
  bool any_dynamic = false;
  for (const TensorInfo& info : session.inputs()) {
    any_dynamic =
        any_dynamic || !info.has_shape ||
        std::any_of(info.shape.begin(), info.shape.end(), [](int64_t d) { return d < 0; });
    if (info.kind != "tensor")
      throw Error(ErrorKind::kInvalidArgument, "bench: input '" + info.name + "' is a " +
                                                   info.kind + "; only tensors are supported");
    Tensor tensor;
    auto file = config.npy_inputs.find(info.name);
    if (file != config.npy_inputs.end()) {
      tensor = read_npy(file->second);
      if (tensor.dtype() != info.dtype)
        throw Error(ErrorKind::kInvalidArgument, "bench: input '" + info.name + "' expects " +
                                                     dtype_name(info.dtype) + ", " + file->second +
                                                     " holds " + dtype_name(tensor.dtype()));
    } else {
      tensor = make_random_tensor(info.dtype,
                                  resolve_input_shape(info, config.batch, config.shapes), seed);
    }
    ++seed;
    result.input_shapes.emplace_back(info.name, tensor.shape());
    if (!config.save_input_dir.empty()) {
      std::filesystem::create_directories(config.save_input_dir);
      const auto path =
          std::filesystem::path(config.save_input_dir) / (file_safe(info.name) + ".npy");
      write_npy(path.string(), tensor);
      result.input_files.push_back(path.string());
    }
    inputs.emplace_back(std::move(tensor));
  }
  if (!any_dynamic && config.batch != 1)
    throw Error(ErrorKind::kInvalidArgument,
                "bench: the model's inputs have fixed shapes, so --batch " +
                    std::to_string(config.batch) + " cannot apply");
  // Items per run, for throughput: the first input's first dimension, whether it came from
  // --batch, --shape, an NPY file or the model's fixed shape.
  if (!inputs.empty() && inputs.front().tensor.rank() > 0)
    result.batch = inputs.front().tensor.dim(0);
  for (const auto& [name, _] : config.npy_inputs) {
    const auto& declared = session.inputs();
    if (std::none_of(declared.begin(), declared.end(),
                     [&](const TensorInfo& info) { return info.name == name; }))
      throw Error(ErrorKind::kInvalidArgument,
                  "bench: --input names '" + name + "', which is not an input of the model");
  }
  return inputs;
}

void save_outputs(const Session& session, const std::vector<Value>& outputs,
                  const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].is_tensor()) continue;
    const auto path = std::filesystem::path(dir) / (file_safe(session.outputs()[i].name) + ".npy");
    write_npy(path.string(), outputs[i].tensor);
  }
}

}  // namespace

Shape resolve_input_shape(const TensorInfo& input, int64_t batch,
                          const std::map<std::string, Shape>& shapes) {
  auto given = shapes.find(input.name);
  if (given != shapes.end()) return given->second;
  if (!input.has_shape)
    throw Error(ErrorKind::kInvalidArgument, "bench: input '" + input.name +
                                                 "' declares no shape; give --shape " + input.name +
                                                 "=d0,d1,...");
  Shape shape = input.shape;
  bool batch_used = false;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] >= 0) continue;
    if (!batch_used) {
      shape[d] = batch;
      batch_used = true;
      continue;
    }
    const std::string dim =
        d < input.dim_names.size() && !input.dim_names[d].empty() ? input.dim_names[d] : "?";
    throw Error(ErrorKind::kInvalidArgument,
                "bench: input '" + input.name + "' (" + input.describe() + ") has symbolic dim '" +
                    dim + "' besides the batch; give --shape " + input.name + "=d0,d1,...");
  }
  return shape;
}

Tensor make_random_tensor(DType dtype, const Shape& shape, uint64_t seed) {
  Tensor tensor = Tensor::empty(dtype, shape);
  std::mt19937_64 rng(seed);
  const int64_t n = tensor.numel();
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  auto fill_int = [&](auto* data) {
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<std::remove_pointer_t<decltype(data)>>(rng() % 10);
  };
  switch (dtype) {
    case DType::kFloat32:
      for (int64_t i = 0; i < n; ++i) tensor.data<float>()[i] = unit(rng);
      break;
    case DType::kFloat64:
      for (int64_t i = 0; i < n; ++i) tensor.data<double>()[i] = unit(rng);
      break;
    case DType::kFloat16:
      for (int64_t i = 0; i < n; ++i) tensor.data<uint16_t>()[i] = float_to_half(unit(rng));
      break;
    case DType::kBFloat16:
      for (int64_t i = 0; i < n; ++i) tensor.data<uint16_t>()[i] = float_to_bfloat16(unit(rng));
      break;
    case DType::kBool:
      for (int64_t i = 0; i < n; ++i) tensor.data<bool>()[i] = (rng() & 1) != 0;
      break;
    case DType::kInt8:
      fill_int(tensor.data<int8_t>());
      break;
    case DType::kUInt8:
      fill_int(tensor.data<uint8_t>());
      break;
    case DType::kInt16:
      fill_int(tensor.data<int16_t>());
      break;
    case DType::kUInt16:
      fill_int(tensor.data<uint16_t>());
      break;
    case DType::kInt32:
      fill_int(tensor.data<int32_t>());
      break;
    case DType::kUInt32:
      fill_int(tensor.data<uint32_t>());
      break;
    case DType::kInt64:
      fill_int(tensor.data<int64_t>());
      break;
    case DType::kUInt64:
      fill_int(tensor.data<uint64_t>());
      break;
    default:
      throw Error(ErrorKind::kInvalidArgument,
                  std::string("bench: cannot make random inputs of type ") + dtype_name(dtype) +
                      "; give --input NAME=FILE.npy");
  }
  return tensor;
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

int64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports kilobytes
}

int64_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t total_pages = 0, resident_pages = 0;
  if (!(statm >> total_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

BenchResult run_bench(const BenchConfig& config) {
  if (config.iterations < 1)
    throw Error(ErrorKind::kInvalidArgument,
                "bench: --iterations must be at least 1, got " + std::to_string(config.iterations));
  if (config.batch < 1)
    throw Error(ErrorKind::kInvalidArgument,
                "bench: --batch must be at least 1, got " + std::to_string(config.batch));
  BenchResult result;
  result.model = config.model;
  result.batch = config.batch;
  result.precision = config.options.bf16 ? "bf16" : "f32";
  result.deterministic = config.options.deterministic;
  result.reference_kernels = config.options.reference_kernels;
  // What libgomp saw at start-up: the policy, or else an explicit spin count.
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spin_count = std::getenv("GOMP_SPINCOUNT");
  result.omp_wait_policy = policy       ? policy
                           : spin_count ? std::string("GOMP_SPINCOUNT=") + spin_count
                                        : "";

  auto start = Clock::now();
  Session session = Session::load(config.model, config.options);
  result.load_seconds = seconds_since(start);
  result.threads = session.threads();

  const std::vector<Value> inputs = build_inputs(session, config, result);
  // Preparing is part of creating a session for these shapes (ONNX Runtime does its share
  // inside InferenceSession.create): timed apart from the first run.
  start = Clock::now();
  result.arena_bytes = session.prepare(inputs).arena_bytes;
  result.prepare_seconds = seconds_since(start);
  start = Clock::now();
  std::vector<Value> outputs = session.run_values(inputs);
  result.first_run_seconds = seconds_since(start);

  for (int i = 0; i < config.warmup; ++i) outputs = session.run_values(inputs);
  // And on until the session has settled its thread count (deterministic mode's first try of
  // one thread, after a few runs): a try is no measure of the mode the runs settle on.
  if (config.warmup > 0) session.warm_up(inputs);

  // With --profile the measured runs are the profiled ones: a clock read per node costs far
  // less than the nodes, and it keeps a profiling run as short as a plain one.
  std::vector<std::vector<NodeProfile>> profiles;
  for (int i = 0; i < config.iterations; ++i) {
    start = Clock::now();
    if (config.profile) {
      profiles.emplace_back();
      outputs = session.run_profiled(inputs, profiles.back());
    } else {
      outputs = session.run_values(inputs);
    }
    result.latencies.push_back(seconds_since(start));
  }
  result.min_seconds = quantile(result.latencies, 0);
  result.median_seconds = quantile(result.latencies, 0.5);
  result.p90_seconds = quantile(result.latencies, 0.9);
  double sum = 0;
  for (double t : result.latencies) sum += t;
  result.mean_seconds = sum / static_cast<double>(result.latencies.size());
  result.items_per_second =
      result.median_seconds > 0 ? static_cast<double>(result.batch) / result.median_seconds : 0;

  if (config.profile) {
    result.profile_iterations = config.iterations;
    result.profile_nodes = group_profile(
        profiles, [](const NodeProfile& n) { return n.op + '\x1f' + n.kernel + '\x1f' + n.shape; });
    result.profile_ops = group_profile(profiles, [](const NodeProfile& n) { return n.op; });
    for (ProfileRow& row : result.profile_ops) {
      row.kernel.clear();
      row.shape.clear();
      result.profile_total_seconds += row.seconds;
    }
  }
  if (!config.save_output_dir.empty()) save_outputs(session, outputs, config.save_output_dir);
  result.peak_rss_bytes = peak_rss_bytes();
  result.current_rss_bytes = current_rss_bytes();
  return result;
}

}  // namespace infera::bench
