#include "runtime/thread_governor.h"

#include <algorithm>
#include <utility>

namespace infera {
namespace {

// Sorts `values` in place (a handful: insertion sort).
double median_of(double* values, int count) {
  for (int i = 1; i < count; ++i)
    for (int j = i; j > 0 && values[j] < values[j - 1]; --j) std::swap(values[j], values[j - 1]);
  return count % 2 ? values[count / 2] : 0.5 * (values[count / 2 - 1] + values[count / 2]);
}

}  // namespace

void ThreadGovernor::ModeStats::add(double seconds) {
  recent[next] = seconds;
  next = (next + 1) % kWindow;
  recent_count = std::min(recent_count + 1, kWindow);
  best = runs == 0 ? seconds : std::min(best * 1.002, seconds);
  ++runs;
}

double ThreadGovernor::ModeStats::median() const {
  double copy[kWindow];
  std::copy(recent, recent + recent_count, copy);
  return median_of(copy, recent_count);
}

int ThreadGovernor::choose(double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (full_threads_ <= 1) return 1;
  if (trying_) return threads_of(1 - current_);
  const bool first = stats_[1 - current_].runs == 0;
  const int divisor = current_ == 0 ? 1 : kSingleProbeDivisor;
  const bool confirm = confirm_pending_ && runs_since_probe_ >= kWindow;
  // On one thread the runs alone set the pace: a try of the full count costs little there,
  // and a stall that outlasted the confirming try should not keep a session slow for seconds.
  const bool due =
      first || confirm ||
      (runs_since_probe_ >= kProbeRuns / divisor * backoff_ &&
       (current_ == 1 ||
        now - last_probe_ >=
            std::max(kProbeSeconds, kProbeGapPerTrySecond * last_try_seconds_) * backoff_));
  if (stats_[current_].runs >= kSettleRuns && (due || probe_now_)) {
    trying_ = true;
    try_count_ = 0;
    try_started_ = now;
    return threads_of(1 - current_);
  }
  return threads_of(current_);
}

void ThreadGovernor::abandon(int) {
  // Nothing to undo: the run is not counted, and a try under way asks for another run.
}

int ThreadGovernor::current_threads() {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_of(current_);
}

bool ThreadGovernor::trying() {
  std::lock_guard<std::mutex> lock(mutex_);
  return trying_;
}

bool ThreadGovernor::settled() {
  std::lock_guard<std::mutex> lock(mutex_);
  return full_threads_ <= 1 ||
         (!trying_ && !confirm_pending_ && stats_[0].runs > 0 && stats_[1].runs > 0);
}

void ThreadGovernor::record(int threads, double seconds, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (full_threads_ <= 1) return;
  const int mode = index(threads);
  if (mode == current_) {
    ModeStats& s = stats_[mode];
    s.add(seconds);
    ++runs_since_probe_;
    // Half a window of runs since the last try, so a slowdown is judged on runs made after it.
    if (runs_since_probe_ >= kWindow / 2 && s.recent_count >= kWindow / 2 &&
        s.median() > kSlowdown * s.best)
      probe_now_ = true;
    return;
  }
  // A run of the other mode: part of a try (concurrent runs may bring one more than asked).
  if (!trying_) return;
  try_seconds_[try_count_++] = seconds;
  if (try_count_ < kTryRuns) return;
  trying_ = probe_now_ = false;
  runs_since_probe_ = 0;
  last_probe_ = now;
  last_try_seconds_ = now - try_started_;
  ModeStats& other = stats_[mode];
  const double tried = median_of(try_seconds_, kTryRuns);
  confirm_pending_ = false;
  if (tried < kSwitchMargin * stats_[current_].median()) {
    current_ = mode;
    confirm_pending_ = current_ == 1;  // a passing stall may have decided it: look again soon
    // The new mode's baseline starts from the try, not from runs of long ago.
    other.recent_count = other.next = 0;
    for (int i = 0; i < kTryRuns; ++i) other.add(try_seconds_[i]);
    other.best = tried;
    backoff_ = 1;
  } else {
    other.runs += kTryRuns;
    backoff_ = std::min(2 * backoff_, kMaxBackoff);
    // Slower, but the other mode is no better: the slower level is this mode's new normal, and
    // only a further slowdown calls for another early try (not one after every run).
    ModeStats& kept = stats_[current_];
    kept.best = std::max(kept.best, kept.median());
  }
}

}  // namespace infera
