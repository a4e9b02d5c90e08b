// The threads that run every model a server process serves.
//
// libgomp keeps a team of worker threads for each thread that has run a parallel region, for as
// long as that thread lives, and while it manages more threads than there are cores its
// barriers sleep at once instead of spinning. With the engine run on each model's batcher
// thread, a second model on 2 cores, idle after one request, cut a loaded MobileNetV2's rate by
// a quarter (199-206 vs 253-284 req/s; 63-73 K voluntary context switches in 12 s instead of
// 3-4 K). So batchers hand their batches, and warm-up its runs, to these threads: as many as
// the most instances any model asks for (one by default), each an OpenMP master whose team all
// models share.
//
//   EngineThreads& engine = EngineThreads::shared();
//   engine.ensure(config.instances);
//   engine.post([batch] { run(*batch); });          // returns at once; must not throw
//   engine.run([&] { session.warm_up(inputs); });   // blocks; rethrows what it threw
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace infera::serve {

class EngineThreads {
 public:
  // The process's engine threads; they live until the process exits.
  static EngineThreads& shared();

  EngineThreads() = default;
  ~EngineThreads();  // finishes what is queued, then joins
  EngineThreads(const EngineThreads&) = delete;
  EngineThreads& operator=(const EngineThreads&) = delete;

  // Starts threads until there are at least `count`.
  void ensure(int count);
  int count() const;
  // Queues `task` for an engine thread and returns; tasks start in the order posted.
  void post(std::function<void()> task);
  // Runs `work` on an engine thread and returns when it is done, rethrowing what it threw.
  void run(const std::function<void()>& work);

 private:
  void thread_loop();

  mutable std::mutex mutex_;
  std::condition_variable task_ready_;
  std::condition_variable task_done_;  // run()'s callers
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace infera::serve
