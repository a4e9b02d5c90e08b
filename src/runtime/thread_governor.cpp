#include "runtime/thread_governor.h"

#include <algorithm>

namespace infera {

int ThreadGovernor::choose(double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (full_threads_ <= 1) return 1;
  const bool first = stats_[1 - current_].runs == 0;
  const bool due = first || (runs_since_probe_ >= kProbeRuns * backoff_ &&
                             now - last_probe_ >= kProbeSeconds * backoff_);
  const bool early = probe_now_ && runs_since_probe_ >= kSettleRuns;
  if (!probe_pending_ && stats_[current_].runs >= kSettleRuns && (due || early)) {
    probe_pending_ = true;
    return threads_of(1 - current_);
  }
  return threads_of(current_);
}

void ThreadGovernor::abandon(int threads) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (full_threads_ > 1 && index(threads) != current_) probe_pending_ = false;
}

int ThreadGovernor::current_threads() {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_of(current_);
}

void ThreadGovernor::record(int threads, double seconds, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (full_threads_ <= 1) return;
  const int mode = index(threads);
  ModeStats& s = stats_[mode];
  s.mean = s.runs == 0 ? seconds : 0.7 * s.mean + 0.3 * seconds;
  s.best = s.runs == 0 ? seconds : std::min(s.best * 1.002, seconds);
  ++s.runs;
  if (mode != current_) {  // the result of a try of the other mode
    probe_pending_ = probe_now_ = false;
    runs_since_probe_ = 0;
    last_probe_ = now;
    if (seconds < kSwitchMargin * stats_[current_].mean) {
      current_ = mode;
      stats_[mode].best = seconds;  // start the new mode's baseline from now
      backoff_ = 1;
    } else {
      backoff_ = std::min(2 * backoff_, kMaxBackoff);
    }
    return;
  }
  ++runs_since_probe_;
  if (seconds > kSlowdown * s.best) probe_now_ = true;
}

}  // namespace infera
