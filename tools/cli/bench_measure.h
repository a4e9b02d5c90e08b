// `infera bench`: the measuring part, kept apart from argument parsing so that the numbers it
// reports have one definition. Latencies are wall-clock seconds of Session::run_values on
// inputs built once; memory figures are the process's, read from the kernel.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "infera/infera.h"

namespace infera::bench {

struct BenchConfig {
  std::string model;
  int64_t batch = 1;
  int threads = 0;
  int iterations = 20;
  int warmup = 5;
  bool profile = false;
  SessionOptions options;
  std::map<std::string, Shape> shapes;            // --shape NAME=d0,d1,...
  std::map<std::string, std::string> npy_inputs;  // --input NAME=FILE.npy
  std::string save_output_dir;                    // --save-output DIR ("" = don't)
  std::string save_input_dir;                     // --save-inputs DIR ("" = don't)
};

// Time of one (op, kernel, shape) group or one op type, summed over the measured iterations.
struct ProfileRow {
  std::string op;
  std::string kernel;
  std::string shape;
  int nodes = 0;       // executed nodes in the group (per run)
  double seconds = 0;  // summed over iterations
};

struct BenchResult {
  std::string model;
  int64_t batch = 0;
  int threads = 0;
  std::string precision;
  bool deterministic = false;  // and so governed: one thread while that is faster
  bool reference_kernels = false;
  std::vector<std::pair<std::string, Shape>> input_shapes;
  std::vector<std::string> input_files;  // where --save-inputs wrote each input
  double load_seconds = 0;
  double prepare_seconds = 0;     // the plan for these shapes; load + prepare = session creation
  double first_run_seconds = 0;   // the first run on the prepared plan
  std::vector<double> latencies;  // seconds per measured iteration, in run order
  double min_seconds = 0, median_seconds = 0, p90_seconds = 0, mean_seconds = 0;
  double items_per_second = 0;  // batch / median
  size_t arena_bytes = 0;
  int64_t peak_rss_bytes = 0;
  int64_t current_rss_bytes = 0;
  std::string omp_wait_policy;  // as the environment had it when the process started
  bool busy_core = false;
  int busy_cpu = -1;
  std::vector<ProfileRow> profile_nodes;  // by (op, kernel, shape), slowest first
  std::vector<ProfileRow> profile_ops;    // by op type, slowest first
  double profile_total_seconds = 0;
  int profile_iterations = 0;
};

// Builds the inputs (random, seeded, or from NPY files), loads, runs and measures.
// Throws Error(kInvalidArgument) naming the input when a symbolic dimension has no value.
BenchResult run_bench(const BenchConfig& config);

// Shapes from the model's declaration: the first dynamic dimension of each input is the
// batch; any other dynamic dimension must come from `shapes`.
Shape resolve_input_shape(const TensorInfo& input, int64_t batch,
                          const std::map<std::string, Shape>& shapes);

// Deterministic pseudo-random contents suited to the dtype (floats in [-1, 1), integers in
// [0, 10) so that index-like inputs stay in range, booleans half true).
Tensor make_random_tensor(DType dtype, const Shape& shape, uint64_t seed);

// Order statistics of a sample (nearest-rank; `q` in [0, 1]).
double quantile(std::vector<double> values, double q);

int64_t peak_rss_bytes();
int64_t current_rss_bytes();

std::string format_text(const BenchResult& result);
std::string format_json(const BenchResult& result);

}  // namespace infera::bench
