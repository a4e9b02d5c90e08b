// Chooses, run by run, between a session's full thread count and one thread.
//
// oneDNN splits each kernel's work statically among its OpenMP threads, so while another
// process holds one of the cores, every parallel region waits for the thread that is not
// running. On 2 shared cores with other jobs busy, a 2-thread MobileNetV2 run took 3.7x ONNX
// Runtime's time (ORT hands out work dynamically and degrades less). One thread then beats
// two. The governor keeps a running mean of the run time in each mode, tries the other mode
// now and then (at once when a run is much slower than the mode's best), and switches when
// that try is clearly faster. Sessions use it only in deterministic mode, where the thread
// count cannot change a result's bits, and record only warm runs: a plan's run on a fresh arena
// is abandon()ed, so a try made cold is made again.
#pragma once

#include <cstdint>
#include <mutex>

namespace infera {

class ThreadGovernor {
 public:
  explicit ThreadGovernor(int full_threads) : full_threads_(full_threads) {}

  // Threads for the next run: the full count or 1. `now` is in seconds on a steady clock.
  int choose(double now);
  // What a run with `threads` threads took, in seconds, finished at `now`.
  void record(int threads, double seconds, double now);
  // A run with `threads` threads failed: if it was a try, the next one may come.
  void abandon(int threads);
  // The thread count runs use between tries.
  int current_threads();

  // A try of the other mode: after the first kSettleRuns runs, then every kProbeRuns runs and
  // kProbeSeconds (both doubled after each losing try, up to kMaxBackoff times), or after
  // kSettleRuns runs when the current mode just ran kSlowdown times slower than its best.
  static constexpr int kProbeRuns = 64;
  static constexpr double kProbeSeconds = 2.0;
  static constexpr int kMaxBackoff = 16;
  // One: the first try then falls in a warm-up. A fresh session's first run is cold and not
  // recorded, and so is the try's first run on its new plan: with `infera bench`'s three
  // unmeasured runs after the first, one settles and two try.
  static constexpr int kSettleRuns = 1;
  static constexpr double kSlowdown = 1.5;
  // The other mode must be this much faster than the current mode's mean to take over.
  static constexpr double kSwitchMargin = 0.9;

 private:
  struct ModeStats {
    double mean = 0;  // exponential moving average of run seconds
    double best = 0;  // fastest run seen, drifting up slowly so it follows lasting changes
    int64_t runs = 0;
  };
  int index(int threads) const { return threads == full_threads_ ? 0 : 1; }
  int threads_of(int index) const { return index == 0 ? full_threads_ : 1; }

  const int full_threads_;
  std::mutex mutex_;
  int current_ = 0;  // index into stats_: 0 full threads, 1 one thread
  ModeStats stats_[2];
  int64_t runs_since_probe_ = 0;
  int backoff_ = 1;  // multiplies the probe interval after tries that lost
  double last_probe_ = -1e300;
  bool probe_now_ = false;  // the current mode just slowed down: try the other one next
  bool probe_pending_ = false;
};

}  // namespace infera
