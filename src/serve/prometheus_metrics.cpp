// /metrics in the Prometheus text exposition format (version 0.0.4).
#include <cstdio>

#include "serve/inference_server.h"

namespace infera::serve {

namespace {

constexpr int64_t kBatchBuckets[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

std::string seconds(uint64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9f", static_cast<double>(ns) * 1e-9);
  return text;
}

}  // namespace

std::string InferenceServer::metrics_text() const {
  std::vector<std::pair<std::string, ModelStatsSnapshot>> models;
  for (const auto& model : repository_.loaded())
    models.emplace_back("model=\"" + model->name() + "\",version=\"" + model->version() + "\"",
                        model->stats().snapshot());
  std::string out;
  family(out, "infera_requests_total", "counter", "Inference requests answered, by outcome.");
  for (const auto& [labels, stats] : models) {
    out += "infera_requests_total{" + labels + ",outcome=\"success\"} " +
           std::to_string(stats.success.count) + "\n";
    out += "infera_requests_total{" + labels + ",outcome=\"failure\"} " +
           std::to_string(stats.failure.count) + "\n";
  }
  family(out, "infera_queue_seconds_total", "counter",
         "Time successful requests waited in the batcher's queue.");
  for (const auto& [labels, stats] : models)
    out += "infera_queue_seconds_total{" + labels + "} " + seconds(stats.queue.ns) + "\n";
  family(out, "infera_compute_seconds_total", "counter",
         "Engine time of the batches that served successful requests, per request.");
  for (const auto& [labels, stats] : models)
    out += "infera_compute_seconds_total{" + labels + "} " + seconds(stats.compute.ns) + "\n";
  family(out, "infera_inferences_total", "counter", "Samples (rows of dim 0) run by the engine.");
  for (const auto& [labels, stats] : models)
    out +=
        "infera_inferences_total{" + labels + "} " + std::to_string(stats.inference_count) + "\n";
  family(out, "infera_batch_size", "histogram", "Samples per engine run.");
  for (const auto& [labels, stats] : models) {
    uint64_t sum = 0, count = 0;
    for (int64_t bound : kBatchBuckets) {
      uint64_t below = 0;
      for (const auto& [rows, counter] : stats.batches)
        if (rows <= bound) below += counter.count;
      out += "infera_batch_size_bucket{" + labels + ",le=\"" + std::to_string(bound) + "\"} " +
             std::to_string(below) + "\n";
    }
    for (const auto& [rows, counter] : stats.batches) {
      sum += static_cast<uint64_t>(rows) * counter.count;
      count += counter.count;
    }
    out += "infera_batch_size_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count) + "\n";
    out += "infera_batch_size_sum{" + labels + "} " + std::to_string(sum) + "\n";
    out += "infera_batch_size_count{" + labels + "} " + std::to_string(count) + "\n";
  }
  family(out, "infera_requests_in_flight", "gauge", "Inference requests queued or running.");
  for (const auto& [labels, stats] : models)
    out += "infera_requests_in_flight{" + labels + "} " + std::to_string(stats.in_flight) + "\n";
  family(out, "infera_http_in_flight", "gauge",
         "HTTP requests read and not yet answered (this one included).");
  out += "infera_http_in_flight " + std::to_string(http_.in_flight()) + "\n";
  family(out, "infera_http_responses_total", "counter", "HTTP responses, by status code.");
  std::lock_guard<std::mutex> lock(responses_mutex_);
  for (const auto& [status, count] : responses_by_status_)
    out += "infera_http_responses_total{code=\"" + std::to_string(status) + "\"} " +
           std::to_string(count) + "\n";
  return out;
}

}  // namespace infera::serve
