#include "serve/engine_threads.h"

namespace infera::serve {

EngineThreads& EngineThreads::shared() {
  // Never destroyed: a thread still waiting at exit must not find its mutex gone.
  static auto* engine = new EngineThreads();
  return *engine;
}

EngineThreads::~EngineThreads() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  task_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void EngineThreads::ensure(int count) {
  std::lock_guard<std::mutex> lock(mutex_);
  while (static_cast<int>(threads_.size()) < count)
    threads_.emplace_back([this] { thread_loop(); });
}

int EngineThreads::count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(threads_.size());
}

void EngineThreads::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (threads_.empty()) threads_.emplace_back([this] { thread_loop(); });
    tasks_.push_back(std::move(task));
  }
  task_ready_.notify_one();
}

void EngineThreads::run(const std::function<void()>& work) {
  bool finished = false;
  std::exception_ptr failure;
  post([&] {
    try {
      work();
    } catch (...) {
      failure = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    finished = true;
    task_done_.notify_all();
  });
  std::unique_lock<std::mutex> lock(mutex_);
  task_done_.wait(lock, [&] { return finished; });
  if (failure) std::rethrow_exception(failure);
}

void EngineThreads::thread_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    task_ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left to run
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // whatever it held goes now, not under the lock
    lock.lock();
  }
}

}  // namespace infera::serve
