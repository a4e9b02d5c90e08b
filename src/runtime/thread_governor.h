// Chooses, run by run, between a session's full thread count and one thread.
//
// oneDNN splits each kernel's work statically among its OpenMP threads, so while another
// process holds one of the cores, every parallel region waits for the thread that is not
// running. On 2 shared cores with other jobs busy, a 2-thread MobileNetV2 run took 3.7x ONNX
// Runtime's time (ORT hands out work dynamically and degrades less). One thread then beats
// two. The governor keeps the last run times of the mode in use, tries the other mode now and
// then (sooner when the recent runs are much slower than the mode's best), and switches when
// that try is clearly faster. Both sides are medians (of the recent runs, of the try's runs):
// in a VM the second core comes and goes for a few runs at a time, and a mean of such spikes
// against a single calm one-thread run sent a fresh Fashion-MNIST session (2.0 ms on two
// threads, 4.0 on one) to one thread for whole benchmarks. Sessions use it only in
// deterministic mode, where the thread count cannot change a result's bits, and record only
// warm runs: a plan's run on a fresh arena is abandon()ed and does not count.
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
  // A run with `threads` threads failed or ran cold: it does not count, and a try goes on.
  void abandon(int threads);
  // The thread count runs use between tries.
  int current_threads();
  // Whether a try of the other mode is under way (its plan's arena is still needed).
  bool trying();
  // Whether both modes have been measured (the first try is over, and the confirming try
  // after a move to one thread), so the choice rests on runs, not on the start-up default.
  bool settled();

  // A try of the other mode: after the first kSettleRuns runs, then every kProbeRuns runs and
  // kProbeSeconds while on the full count (a quarter of the runs and no time floor while on
  // one thread, the mode a session should leave as soon as it can), doubled after each losing
  // try up to kMaxBackoff times; or as soon as the median of the recent runs, half a window of
  // them made since the last try, is kSlowdown times the mode's best. A try that loses raises
  // that best to the recent median: when the whole machine slows down, one try shows it, not
  // one a run. On the full count the seconds between tries are also at least
  // kProbeGapPerTrySecond times what the last try took, so that trying costs at most ~2% of
  // the time: a try of one thread for ResNet-50 batch 8 (its cold run and three of ~0.34 s
  // for ~0.2 s) took ~1.4 s, and 64 runs are 13 s.
  static constexpr int kProbeRuns = 64;
  static constexpr double kProbeSeconds = 2.0;
  static constexpr double kProbeGapPerTrySecond = 50.0;
  static constexpr int kSingleProbeDivisor = 4;
  static constexpr int kMaxBackoff = 16;
  // Three, judged by their median: a fresh process's second run (its first warm one) took
  // 7-10 ms for a 2.5 ms MobileNetV2 on two threads, and a try judged against it alone sent 5
  // of 6 fresh sessions to one thread (1.8x slower) for the whole of a short benchmark.
  // Warm-ups (Session::warm_up, `infera bench`) run until the first try is over.
  static constexpr int kSettleRuns = 3;
  static constexpr double kSlowdown = 1.5;
  // Runs in a try, and recent runs kept of the mode in use.
  static constexpr int kTryRuns = 3;
  static constexpr int kWindow = 8;
  // The try's median must be this much below the recent runs' median to take over. A move to
  // one thread is confirmed by a try of the full count kWindow runs later, whatever the
  // interval: two-thread runs stall, two in three, while another process holds the second
  // core, and the same for a moment while, say, the process that started us still runs; a
  // session sent to one thread by such a moment should not stay there for seconds.
  static constexpr double kSwitchMargin = 0.9;

 private:
  struct ModeStats {
    double recent[kWindow] = {};  // ring of the last run times
    int recent_count = 0;
    int next = 0;
    double best = 0;  // fastest run seen, drifting up slowly so it follows lasting changes
    int64_t runs = 0;
    void add(double seconds);
    double median() const;
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
  bool probe_now_ = false;        // the current mode just slowed down: try the other one next
  bool confirm_pending_ = false;  // just moved to one thread: try the full count again soon
  bool trying_ = false;
  double try_seconds_[kTryRuns] = {};
  int try_count_ = 0;
  double try_started_ = 0;       // when the try under way began (its plan's first run included)
  double last_try_seconds_ = 0;  // how long the last try took, start to end
};

}  // namespace infera
