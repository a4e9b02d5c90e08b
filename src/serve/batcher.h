// The dynamic batcher: requests to one model wait in a bounded queue; one instance thread at
// a time gathers: it waits until the queue's oldest requests of one shape hold max_batch_size
// samples or the oldest has waited max_queue_delay_us, takes them, and hands them to the engine
// threads (engine_threads.h), which run them as one batch (inputs concatenated along dim 0),
// split the outputs back and answer. A model that does not batch has no instance thread: each
// request goes to the engine threads as it comes. Requests stay in the queue while it gathers,
// so submit() wakes it only when a batch can be cut, not once per request.
// Cancelled (client gone) and expired requests are answered without running. The engine's promise
// that a sample's result does not depend on its batch mates makes the split answer equal a lone
// run.
//
//   DynamicBatcher batcher(session, {.max_batch_size = 32, .max_queue_delay_us = 500}, stats);
//   if (!batcher.submit(std::move(job))) ...  // queue full: answer 503
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "infera/infera.h"
#include "serve/model_stats.h"

namespace infera::serve {

using SteadyClock = std::chrono::steady_clock;

struct BatchingConfig {
  int max_batch_size = 0;          // 0 or 1: every request runs alone
  int64_t max_queue_delay_us = 0;  // how long the oldest request may wait for batch mates
  int instances = 1;               // batches of the model run at once (on the engine threads)
  size_t max_queue_size = 1024;    // requests waiting; more are refused (503)
};

struct InferenceResult {
  int status = 200;  // HTTP status when not 200
  std::string error;
  std::vector<Tensor> outputs;  // in the session's output order, dim 0 = the job's rows
  int64_t batch_rows = 0;       // samples in the engine run that served it
};

struct InferenceJob {
  std::vector<Tensor> inputs;  // in the session's input order
  int64_t rows = 1;            // dim 0 of every input (1 for unbatchable models)
  SteadyClock::time_point enqueued;
  SteadyClock::time_point deadline;
  std::shared_ptr<std::atomic<bool>> cancelled;  // may be null
  std::function<void(InferenceResult)> done;     // called exactly once, from an engine thread
};

class DynamicBatcher {
 public:
  // `batchable`: every input has a free dim 0 that outputs follow.
  DynamicBatcher(const Session& session, BatchingConfig config, bool batchable, ModelStats& stats);
  ~DynamicBatcher();  // stop()
  // Answers what is queued, joins the threads and waits for the engine to finish this model's
  // batches; later submits are refused. Whoever owns the batcher calls it before dropping what a
  // job's callback may hold the last reference to: a batcher destroyed on one of its own threads
  // would join itself.
  void stop();
  DynamicBatcher(const DynamicBatcher&) = delete;
  DynamicBatcher& operator=(const DynamicBatcher&) = delete;

  // False when the queue is full or the batcher is stopping; the job is then untouched.
  bool submit(InferenceJob& job);
  int max_batch_size() const { return batching_ ? config_.max_batch_size : 0; }

 private:
  void instance_loop();
  std::vector<InferenceJob> take_batch(std::unique_lock<std::mutex>& lock);
  // Samples in the queue's leading run of same-shape requests that fit one batch, and whether
  // that run ends early (a request of another shape, or one that would overflow the batch).
  int64_t leading_batch_rows(bool& cut_short) const;
  // Runs the jobs as one batch on an engine thread; with_engine_ already counts it.
  void post_to_engine(std::vector<InferenceJob> jobs);
  void run_batch(std::vector<InferenceJob>& jobs);
  void finish(InferenceJob& job, InferenceResult result, uint64_t queue_ns, uint64_t compute_ns);

  const Session& session_;
  BatchingConfig config_;
  bool batching_;
  ModelStats& stats_;
  std::mutex mutex_;
  std::condition_variable work_ready_;   // idle instances: a request is queued, no one gathers
  std::condition_variable batch_ready_;  // the gathering instance: a full batch is queued
  std::deque<InferenceJob> queue_;
  bool gathering_ = false;  // an instance is waiting for batch mates
  bool stopping_ = false;
  // Batches handed to the engine threads and not finished. Up to one more than the instances:
  // the next batch waits at the engine while one runs, so the engine never waits for a batcher
  // thread to wake (on 2 busy cores that took ~0.1 ms a batch: Fashion-MNIST served 8-12% less).
  int with_engine_ = 0;
  std::condition_variable engine_done_;
  std::vector<std::thread> instances_;
};

// True when `a` and `b` may share a batch: same dtypes and the same dims after dim 0.
bool same_sample_shape(const std::vector<Tensor>& a, const std::vector<Tensor>& b);
// Concatenates the jobs' tensors for input `index` along dim 0.
Tensor concatenate_rows(const std::vector<InferenceJob>& jobs, size_t index, int64_t total_rows);
// Rows [begin, begin + count) of `tensor`, sharing its bytes.
Tensor slice_rows(const Tensor& tensor, int64_t begin, int64_t count);

}  // namespace infera::serve
