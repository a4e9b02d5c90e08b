#include "serve/batcher.h"

#include <cstring>

#include "infera/error.h"
#include "serve/engine_threads.h"

namespace infera::serve {

namespace {

uint64_t nanoseconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

int status_for(const Error& error) {
  return error.kind() == ErrorKind::kInternal ? 500 : 400;
}

}  // namespace

bool same_sample_shape(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].dtype() != b[i].dtype() || a[i].rank() != b[i].rank() || a[i].rank() == 0)
      return false;
    for (int axis = 1; axis < a[i].rank(); ++axis)
      if (a[i].dim(axis) != b[i].dim(axis)) return false;
  }
  return true;
}

Tensor concatenate_rows(const std::vector<InferenceJob>& jobs, size_t index, int64_t total_rows) {
  const Tensor& first = jobs.front().inputs[index];
  Shape shape = first.shape();
  shape[0] = total_rows;
  Tensor batch = Tensor::empty(first.dtype(), shape);
  int64_t row = 0;
  for (const InferenceJob& job : jobs) {
    Tensor destination = slice_rows(batch, row, job.rows);
    job.inputs[index].copy_to(destination);
    row += job.rows;
  }
  return batch;
}

Tensor slice_rows(const Tensor& tensor, int64_t begin, int64_t count) {
  Shape shape = tensor.shape();
  const int64_t row_elements = shape[0] == 0 ? 0 : tensor.numel() / shape[0];
  shape[0] = count;
  const size_t element_size =
      tensor.dtype() == DType::kString ? sizeof(std::string) : dtype_size(tensor.dtype());
  auto* base = static_cast<uint8_t*>(const_cast<void*>(tensor.raw()));
  return Tensor(tensor.dtype(), shape,
                base + static_cast<size_t>(begin * row_elements) * element_size,
                tensor.keep_alive());
}

DynamicBatcher::DynamicBatcher(const Session& session, BatchingConfig config, bool batchable,
                               ModelStats& stats)
    : session_(session),
      config_(config),
      batching_(batchable && config.max_batch_size > 1),
      stats_(stats) {
  // Gathering stays on the batcher's threads; batches run on the engine threads.
  EngineThreads::shared().ensure(std::max(1, config_.instances));
  if (batching_)
    for (int i = 0; i < std::max(1, config_.instances); ++i)
      instances_.emplace_back([this] { instance_loop(); });
}

DynamicBatcher::~DynamicBatcher() { stop(); }

void DynamicBatcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  batch_ready_.notify_all();
  for (std::thread& thread : instances_)
    if (thread.joinable()) thread.join();
  std::unique_lock<std::mutex> lock(mutex_);
  engine_done_.wait(lock, [this] { return with_engine_ == 0; });
}

bool DynamicBatcher::submit(InferenceJob& job) {
  if (!batching_) {
    // Nothing to gather: straight to the engine, whose queue keeps the order. A hop through a
    // batcher thread cost a tiny model a quarter of its unbatched rate (Fashion-MNIST, 64
    // connections: 19.3-20.5 K req/s against 27.2 K run on the batcher thread).
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_ || static_cast<size_t>(with_engine_) >= config_.max_queue_size) return false;
      stats_.request_started();
      ++with_engine_;
    }
    std::vector<InferenceJob> jobs;
    jobs.push_back(std::move(job));
    post_to_engine(std::move(jobs));
    return true;
  }
  bool gathering = false;
  bool batch_ready = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= config_.max_queue_size) return false;
    stats_.request_started();
    queue_.push_back(std::move(job));
    gathering = gathering_;
    if (gathering) {
      bool cut_short = false;
      batch_ready = leading_batch_rows(cut_short) >= config_.max_batch_size || cut_short;
    }
  }
  // Waking the gatherer for every request would cost a context switch each: it needs a full
  // batch, or its delay to pass, which it waits for on its own.
  if (!gathering)
    work_ready_.notify_one();
  else if (batch_ready)
    batch_ready_.notify_one();
  return true;
}

void DynamicBatcher::instance_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_ready_.wait(
        lock, [this] { return (stopping_ && queue_.empty()) || (!queue_.empty() && !gathering_); });
    if (queue_.empty()) return;  // stopping, and everything queued has been answered
    std::vector<InferenceJob> jobs = take_batch(lock);
    // Idle instances waited while this one gathered: what is left is theirs (and at shutdown
    // they must all see the queue drain).
    if (stopping_)
      work_ready_.notify_all();
    else if (!queue_.empty())
      work_ready_.notify_one();
    engine_done_.wait(lock, [this] { return with_engine_ <= std::max(1, config_.instances); });
    ++with_engine_;
    lock.unlock();
    post_to_engine(std::move(jobs));
    lock.lock();
  }
}

void DynamicBatcher::post_to_engine(std::vector<InferenceJob> jobs) {
  auto batch = std::make_shared<std::vector<InferenceJob>>(std::move(jobs));
  EngineThreads::shared().post([this, batch] {
    run_batch(*batch);
    batch->clear();  // the callbacks' references to the model go while stop() still waits
    // Notified under the lock: once stop() sees none left, the batcher may be destroyed.
    std::lock_guard<std::mutex> done(mutex_);
    --with_engine_;
    engine_done_.notify_all();
  });
}

int64_t DynamicBatcher::leading_batch_rows(bool& cut_short) const {
  int64_t rows = 0;
  cut_short = false;
  for (const InferenceJob& job : queue_) {
    if (rows + job.rows > config_.max_batch_size ||
        (rows > 0 && !same_sample_shape(job.inputs, queue_.front().inputs))) {
      cut_short = true;
      break;
    }
    rows += job.rows;
  }
  return rows;
}

std::vector<InferenceJob> DynamicBatcher::take_batch(std::unique_lock<std::mutex>& lock) {
  if (batching_) {
    const auto gather_until =
        queue_.front().enqueued + std::chrono::microseconds(config_.max_queue_delay_us);
    gathering_ = true;
    for (;;) {
      // A full batch, an incompatible request next in line, or the delay spent: run now.
      bool cut_short = false;
      if (leading_batch_rows(cut_short) >= config_.max_batch_size || cut_short || stopping_ ||
          SteadyClock::now() >= gather_until)
        break;
      batch_ready_.wait_until(lock, gather_until);
    }
    gathering_ = false;
  }
  std::vector<InferenceJob> jobs;
  int64_t rows = 0;
  do {
    rows += queue_.front().rows;
    jobs.push_back(std::move(queue_.front()));
    queue_.pop_front();
  } while (batching_ && !queue_.empty() && rows + queue_.front().rows <= config_.max_batch_size &&
           same_sample_shape(queue_.front().inputs, jobs.front().inputs));
  return jobs;
}

void DynamicBatcher::run_batch(std::vector<InferenceJob>& candidates) {
  const auto started = SteadyClock::now();
  std::vector<InferenceJob> jobs;
  for (InferenceJob& job : candidates) {
    if (job.cancelled && job.cancelled->load()) {
      finish(job, {499, "the client closed the connection", {}, 0},
             nanoseconds_between(job.enqueued, started), 0);
    } else if (started > job.deadline) {
      finish(job, {503, "request timed out after waiting in the queue", {}, 0},
             nanoseconds_between(job.enqueued, started), 0);
    } else {
      jobs.push_back(std::move(job));
    }
  }
  if (jobs.empty()) return;
  int64_t total_rows = 0;
  for (const InferenceJob& job : jobs) total_rows += job.rows;
  InferenceResult batch_result;
  std::vector<Tensor> outputs;
  try {
    if (jobs.size() == 1) {
      outputs = session_.run(jobs.front().inputs);
    } else {
      std::vector<Tensor> inputs;
      for (size_t i = 0; i < jobs.front().inputs.size(); ++i)
        inputs.push_back(concatenate_rows(jobs, i, total_rows));
      outputs = session_.run(inputs);
      for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].rank() == 0 || outputs[i].dim(0) != total_rows)
          throw Error(ErrorKind::kInternal, "output " + session_.outputs()[i].name + " has shape " +
                                                shape_to_string(outputs[i].shape()) +
                                                ", which does not follow the batch of " +
                                                std::to_string(total_rows));
    }
  } catch (const Error& error) {
    batch_result = {status_for(error), error.what(), {}, 0};
  } catch (const std::exception& error) {
    batch_result = {500, std::string("internal error: ") + error.what(), {}, 0};
  }
  const auto computed = SteadyClock::now();
  const uint64_t compute_ns = nanoseconds_between(started, computed);
  stats_.batch_ran(total_rows, compute_ns);
  int64_t row = 0;
  for (InferenceJob& job : jobs) {
    InferenceResult result = batch_result;
    result.batch_rows = total_rows;
    if (result.error.empty()) {
      for (const Tensor& output : outputs)
        result.outputs.push_back(jobs.size() == 1 ? output : slice_rows(output, row, job.rows));
    }
    row += job.rows;
    finish(job, std::move(result), nanoseconds_between(job.enqueued, started), compute_ns);
  }
}

void DynamicBatcher::finish(InferenceJob& job, InferenceResult result, uint64_t queue_ns,
                            uint64_t compute_ns) {
  stats_.request_finished(result.error.empty(), queue_ns + compute_ns, queue_ns, compute_ns);
  job.done(std::move(result));
}

}  // namespace infera::serve
