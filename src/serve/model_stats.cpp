#include "serve/model_stats.h"

#include <chrono>

namespace infera::serve {

void ModelStats::request_finished(bool ok, uint64_t total_ns, uint64_t queue_ns,
                                  uint64_t compute_ns) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  std::lock_guard<std::mutex> lock(mutex_);
  --stats_.in_flight;
  (ok ? stats_.success : stats_.failure).add(total_ns);
  if (!ok) return;
  stats_.queue.add(queue_ns);
  stats_.compute.add(compute_ns);
  stats_.last_inference_ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

void ModelStats::batch_ran(int64_t rows, uint64_t compute_ns) {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.inference_count += static_cast<uint64_t>(rows);
  ++stats_.execution_count;
  stats_.batches[rows].add(compute_ns);
}

}  // namespace infera::serve
