// Per-model counters behind /v2/models/<m>/stats and /metrics: requests, failures, time in
// the queue and in the engine, and how many samples each engine run carried.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace infera::serve {

struct DurationCounter {
  uint64_t count = 0;
  uint64_t ns = 0;
  void add(uint64_t duration_ns) {
    ++count;
    ns += duration_ns;
  }
};

struct ModelStatsSnapshot {
  DurationCounter success;  // whole requests, queue + compute
  DurationCounter failure;
  DurationCounter queue;                       // per request: enqueued -> its batch starts
  DurationCounter compute;                     // per request: its batch's engine run
  uint64_t inference_count = 0;                // samples (rows) answered
  uint64_t execution_count = 0;                // engine runs
  uint64_t last_inference_ms = 0;              // since the epoch
  std::map<int64_t, DurationCounter> batches;  // rows per engine run -> runs and their time
  int64_t in_flight = 0;                       // requests queued or running
};

class ModelStats {
 public:
  void request_started() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.in_flight;
  }
  void request_finished(bool ok, uint64_t total_ns, uint64_t queue_ns, uint64_t compute_ns);
  void batch_ran(int64_t rows, uint64_t compute_ns);
  ModelStatsSnapshot snapshot() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  mutable std::mutex mutex_;
  ModelStatsSnapshot stats_;
};

}  // namespace infera::serve
