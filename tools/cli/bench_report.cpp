// `infera bench` output: a page for people and a JSON object for scripts (bench/compare_ort).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench_measure.h"

namespace infera::bench {
namespace {

std::string printf_string(const char* format, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

std::string milliseconds(double seconds) {
  return printf_string("%.3f ms", seconds * 1e3);
}
std::string mebibytes(double bytes) {
  return printf_string("%.1f MiB", bytes / (1 << 20));
}

std::string profile_table(const std::vector<ProfileRow>& rows, double total, int iterations,
                          bool with_kernel) {
  std::string out;
  for (const ProfileRow& row : rows) {
    const double share = total > 0 ? 100.0 * row.seconds / total : 0;
    const double per_run = row.seconds / iterations;
    if (with_kernel)
      out += printf_string("  %6.2f%%  %10.3f ms  %3dx  %-22s %-26s %s\n", share, per_run * 1e3,
                           row.nodes, row.op.c_str(), row.kernel.c_str(), row.shape.c_str());
    else
      out += printf_string("  %6.2f%%  %10.3f ms  %3dx  %s\n", share, per_run * 1e3, row.nodes,
                           row.op.c_str());
  }
  return out;
}

nlohmann::ordered_json profile_json(const std::vector<ProfileRow>& rows, double total,
                                    int iterations, bool with_kernel) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ProfileRow& row : rows) {
    nlohmann::ordered_json item = {{"op", row.op},
                                   {"nodes", row.nodes},
                                   {"seconds_total", row.seconds},
                                   {"seconds_per_run", row.seconds / iterations},
                                   {"percent", total > 0 ? 100.0 * row.seconds / total : 0}};
    if (with_kernel) {
      item["kernel"] = row.kernel;
      item["shape"] = row.shape;
    }
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace

std::string format_text(const BenchResult& r) {
  std::string inputs;
  for (const auto& [name, shape] : r.input_shapes)
    inputs += (inputs.empty() ? "" : ", ") + name + " " + shape_to_string(shape);
  std::string out;
  out += "model       " + r.model + "\n";
  out += "inputs      " + inputs + "\n";
  out += printf_string("batch       %lld   threads %d   precision %s   %s%s\n",
                       static_cast<long long>(r.batch), r.threads, r.precision.c_str(),
                       r.deterministic ? "deterministic" : "nondeterministic",
                       r.reference_kernels ? "   (reference kernels)" : "");
  out += "wait policy " + (r.omp_wait_policy.empty() ? std::string("(unset)") : r.omp_wait_policy);
  out += r.busy_core ? printf_string("   busy core: cpu %d\n", r.busy_cpu) : "\n";
  out += "load        " + milliseconds(r.load_seconds) + "   prepare " +
         milliseconds(r.prepare_seconds) + "   (session creation " +
         milliseconds(r.load_seconds + r.prepare_seconds) + ")\n";
  out += "first run   " + milliseconds(r.first_run_seconds) + "\n";
  out += printf_string("latency     min %s   median %s   p90 %s   (%zu runs)\n",
                       milliseconds(r.min_seconds).c_str(), milliseconds(r.median_seconds).c_str(),
                       milliseconds(r.p90_seconds).c_str(), r.latencies.size());
  out += printf_string("throughput  %.1f items/s\n", r.items_per_second);
  out += "memory      peak RSS " + mebibytes(static_cast<double>(r.peak_rss_bytes)) +
         "   current RSS " + mebibytes(static_cast<double>(r.current_rss_bytes)) + "   arena " +
         mebibytes(static_cast<double>(r.arena_bytes)) + "\n";
  if (r.profile_iterations > 0) {
    out += printf_string("\nprofile: time per run, summed over %d runs (%s per run in nodes)\n",
                         r.profile_iterations,
                         milliseconds(r.profile_total_seconds / r.profile_iterations).c_str());
    out += "by op type:\n";
    out += profile_table(r.profile_ops, r.profile_total_seconds, r.profile_iterations, false);
    out += "by op, kernel and output shape:\n";
    out += profile_table(r.profile_nodes, r.profile_total_seconds, r.profile_iterations, true);
  }
  return out;
}

std::string format_json(const BenchResult& r) {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < r.input_shapes.size(); ++i) {
    inputs.push_back({{"name", r.input_shapes[i].first}, {"shape", r.input_shapes[i].second}});
    if (i < r.input_files.size()) inputs.back()["file"] = r.input_files[i];
  }
  nlohmann::ordered_json out = {
      {"model", r.model},
      {"inputs", inputs},
      {"batch", r.batch},
      {"threads", r.threads},
      {"precision", r.precision},
      {"deterministic", r.deterministic},
      {"reference_kernels", r.reference_kernels},
      {"omp_wait_policy", r.omp_wait_policy},
      {"busy_core", r.busy_core},
      {"busy_cpu", r.busy_cpu},
      {"load_seconds", r.load_seconds},
      {"prepare_seconds", r.prepare_seconds},
      {"first_run_seconds", r.first_run_seconds},
      {"iterations", r.latencies.size()},
      {"latencies_seconds", r.latencies},
      {"min_seconds", r.min_seconds},
      {"median_seconds", r.median_seconds},
      {"p90_seconds", r.p90_seconds},
      {"mean_seconds", r.mean_seconds},
      {"items_per_second", r.items_per_second},
      {"arena_bytes", r.arena_bytes},
      {"peak_rss_bytes", r.peak_rss_bytes},
      {"current_rss_bytes", r.current_rss_bytes},
  };
  if (r.profile_iterations > 0) {
    out["profile"] = {{"iterations", r.profile_iterations},
                      {"seconds_per_run", r.profile_total_seconds / r.profile_iterations},
                      {"by_op", profile_json(r.profile_ops, r.profile_total_seconds,
                                             r.profile_iterations, false)},
                      {"by_node", profile_json(r.profile_nodes, r.profile_total_seconds,
                                               r.profile_iterations, true)}};
  }
  return out.dump(2) + "\n";
}

}  // namespace infera::bench
