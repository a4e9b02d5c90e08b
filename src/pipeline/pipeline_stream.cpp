// Pipeline's batches: workers decode and preprocess the batches ahead while the calling
// thread runs the model on the current one and hands out its answers in order.
//
// Bounded: a worker claims batch n only while n <= (batch being answered) + batches_ahead,
// so at most batches_ahead + 1 prepared batches exist at once, whatever the number of files.
// A file that fails is its own answer (error set); it never takes its batch down.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "infera/pipeline.h"

namespace infera {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

struct Pipeline::Batch {
  std::vector<Prediction> answers;  // one per image, in order; failures have `error`
  std::vector<size_t> good;         // answers whose views are in `inputs`
  std::vector<Tensor> inputs;       // every view of every good image; more than one tensor
  int64_t views = 0;                //   only when the model's batch dimension is fixed
  double tensor_ms = 0;
  std::exception_ptr failure;  // anything but a per-file Error (out of memory, ...)
};

Pipeline::Batch Pipeline::prepare_batch(const ImageSource& source,
                                        const std::vector<std::string>& names, size_t begin,
                                        size_t end) const {
  Batch batch;
  std::vector<Image> views;
  for (size_t i = begin; i < end; ++i) {
    Prediction& p = batch.answers.emplace_back();
    p.source = names[i];
    try {
      auto start = Clock::now();
      Image storage;
      const Image& image = source(i, storage);
      p.timings.decode_ms = ms_since(start);
      p.image_width = image.width, p.image_height = image.height, p.image_channels = image.channels;
      start = Clock::now();
      std::vector<Image> mine = preprocess_views(image);
      p.timings.preprocess_ms = ms_since(start);
      for (Image& view : mine) views.push_back(std::move(view));
      batch.good.push_back(batch.answers.size() - 1);
    } catch (const Error& e) {
      p.error = e.what();
    }
  }
  if (views.empty()) return batch;
  batch.views = static_cast<int64_t>(views.size());
  const auto start = Clock::now();
  // A model whose batch dimension is fixed gets exactly that many per run: pad with the last.
  const TensorInfo& input = session_.inputs()[0];
  const size_t fixed =
      input.has_shape && input.shape[0] > 0 ? static_cast<size_t>(input.shape[0]) : 0;
  if (fixed == 0) {
    batch.inputs.push_back(images_to_tensor(views, tensor_options()));
  } else {
    for (size_t first = 0; first < views.size(); first += fixed) {
      std::vector<Image> chunk(
          views.begin() + static_cast<std::ptrdiff_t>(first),
          views.begin() + static_cast<std::ptrdiff_t>(std::min(views.size(), first + fixed)));
      while (chunk.size() < fixed) chunk.push_back(chunk.back());
      batch.inputs.push_back(images_to_tensor(chunk, tensor_options()));
    }
  }
  batch.tensor_ms = ms_since(start);
  return batch;
}

void Pipeline::answer_batch(Batch& batch, PredictStats& stats,
                            const AnswerCallback& on_answer) const {
  std::vector<float> outputs;  // views x per_view, in view order
  int64_t per_view = 0;
  double inference_ms = 0;
  Shape one;
  for (const Tensor& input : batch.inputs) {
    const auto start = Clock::now();
    const Tensor output = session_.run(std::vector<Tensor>{input})[0];
    inference_ms += ms_since(start);
    per_view = output.numel() / input.dim(0);
    outputs.insert(outputs.end(), output.data<float>(), output.data<float>() + output.numel());
    one = input.shape();
    one[0] = 1;
  }
  const int views = views_per_image();
  for (size_t g = 0; g < batch.good.size(); ++g) {
    Prediction& p = batch.answers[batch.good[g]];
    const auto start = Clock::now();
    const float* rows = outputs.data() + static_cast<int64_t>(g) * views * per_view;
    Prediction answer;
    if (views == 1) {
      answer = postprocess_row(rows, per_view, spec_);
    } else {
      const std::vector<float> merged = merge_tta_outputs(rows, views, per_view, spec_);
      answer = postprocess_row(merged.data(), per_view, spec_, activation_after_tta_merge(spec_));
    }
    answer.source = std::move(p.source);
    answer.image_width = p.image_width, answer.image_height = p.image_height;
    answer.image_channels = p.image_channels;
    answer.views = views;
    answer.timings = p.timings;
    answer.timings.inference_ms = inference_ms;
    answer.timings.postprocess_ms = ms_since(start);
    answer.input_shape.assign(one.begin(), one.end());
    p = std::move(answer);
  }
  stats.inference_ms += inference_ms;
  stats.tensor_ms += batch.tensor_ms;
  stats.views += batch.views;
  ++stats.batches;
  for (const Prediction& p : batch.answers) {
    ++stats.images;
    stats.failed += p.ok() ? 0 : 1;
    stats.decode_ms += p.timings.decode_ms;
    stats.preprocess_ms += p.timings.preprocess_ms;
    stats.postprocess_ms += p.timings.postprocess_ms;
    const auto start = Clock::now();
    on_answer(p);
    stats.answer_ms += ms_since(start);
  }
}

namespace {

// The hand-over between the decode workers and the thread that runs the model.
template <class Batch>
class BatchQueue {
 public:
  BatchQueue(size_t count, size_t ahead) : count_(count), ahead_(ahead) {}

  // The next batch a worker should prepare, or false when there is none (or we stop).
  bool claim(size_t& index) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stop_ || next_ >= count_ || next_ <= answering_ + ahead_; });
    if (stop_ || next_ >= count_) return false;
    index = next_++;
    return true;
  }
  void deliver(size_t index, Batch batch) {
    std::lock_guard lock(mutex_);
    ready_.emplace(index, std::move(batch));
    changed_.notify_all();
  }
  Batch take(size_t index) {
    std::unique_lock lock(mutex_);
    answering_ = index;
    changed_.notify_all();
    changed_.wait(lock, [&] { return ready_.count(index) > 0; });
    Batch batch = std::move(ready_.at(index));
    ready_.erase(index);
    return batch;
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  const size_t count_, ahead_;
  size_t next_ = 0, answering_ = 0;
  bool stop_ = false;
  std::map<size_t, Batch> ready_;
};

// Joins the workers however the calling thread leaves (an answer callback may throw).
class WorkerThreads {
 public:
  explicit WorkerThreads(std::function<void()> stop) : stop_(std::move(stop)) {}
  ~WorkerThreads() {
    stop_();
    for (std::thread& thread : threads_) thread.join();
  }
  void start(std::function<void()> work) { threads_.emplace_back(std::move(work)); }

 private:
  std::function<void()> stop_;
  std::vector<std::thread> threads_;
};

}  // namespace

PredictStats Pipeline::predict_source(const ImageSource& source,
                                      const std::vector<std::string>& names,
                                      const PredictOptions& options,
                                      const AnswerCallback& on_answer) const {
  const auto start = Clock::now();
  PredictStats stats;
  const size_t step = static_cast<size_t>(std::max(options.batch_size, 1));
  const size_t count = (names.size() + step - 1) / step;
  auto prepare = [&](size_t index) {
    const size_t begin = index * step;
    try {
      return prepare_batch(source, names, begin, std::min(names.size(), begin + step));
    } catch (...) {
      Batch failed;
      failed.failure = std::current_exception();
      return failed;
    }
  };
  auto answer = [&](Batch& batch) {
    if (batch.failure) std::rethrow_exception(batch.failure);
    answer_batch(batch, stats, on_answer);
  };
  if (options.decode_threads <= 0) {
    for (size_t index = 0; index < count; ++index) {
      Batch batch = prepare(index);
      answer(batch);
    }
  } else {
    BatchQueue<Batch> queue(count, static_cast<size_t>(std::max(options.batches_ahead, 1)));
    WorkerThreads workers([&] { queue.stop(); });
    for (int t = 0; t < options.decode_threads && static_cast<size_t>(t) < count; ++t)
      workers.start([&] {
        size_t index = 0;
        while (queue.claim(index)) queue.deliver(index, prepare(index));
      });
    for (size_t index = 0; index < count; ++index) {
      const auto wait_start = Clock::now();
      Batch batch = queue.take(index);
      stats.wait_ms += ms_since(wait_start);
      answer(batch);
    }
  }
  stats.wall_ms = ms_since(start);
  return stats;
}

PredictStats Pipeline::predict_stream(const std::vector<std::string>& paths,
                                      const PredictOptions& options,
                                      const AnswerCallback& on_answer) const {
  return predict_source(
      [&](size_t index, Image& storage) -> const Image& {
        storage = read_image_file(paths[index], decode_limits_);
        return storage;
      },
      paths, options, on_answer);
}

std::vector<Prediction> Pipeline::predict_files(const std::vector<std::string>& paths,
                                                int batch_size) const {
  std::vector<Prediction> out;
  PredictOptions options;
  options.batch_size = batch_size;
  predict_stream(paths, options, [&](const Prediction& p) { out.push_back(p); });
  return out;
}

std::vector<Prediction> Pipeline::predict_images(const std::vector<Image>& images,
                                                 int batch_size) const {
  std::vector<std::string> names;
  for (size_t i = 0; i < images.size(); ++i) names.push_back("image " + std::to_string(i));
  PredictOptions options;
  options.batch_size = batch_size;
  options.decode_threads = 0;  // nothing to decode
  std::vector<Prediction> out;
  predict_source([&](size_t index, Image&) -> const Image& { return images[index]; }, names,
                 options, [&](const Prediction& p) { out.push_back(p); });
  return out;
}

}  // namespace infera
