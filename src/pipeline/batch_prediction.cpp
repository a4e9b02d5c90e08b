// The reading side (dataset -> decoded, preprocessed batches) runs on a worker thread; the model
// and the caller's on_batch run on the calling thread. They meet in a BoundedQueue, so at most
// `queued_batches` batches of input exist at any time.
#include "pipeline/batch_prediction.h"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <thread>

#include "pipeline/bounded_queue.h"

namespace infera {
namespace {

// One batch as the reading thread hands it over: every answer in record order (bad records
// already carry their error) and the input rows for the others.
struct PreparedBatch {
  std::vector<RecordAnswer> answers;
  std::vector<size_t> rows;  // input row r answers answers[rows[r]]
  Tensor input;
  std::exception_ptr failure;  // the reading thread stopped: rethrown on the calling thread
};

class BatchReader {
 public:
  BatchReader(const Pipeline& pipeline, const BatchPredictionOptions& options)
      : pipeline_(pipeline), options_(options) {
    const TensorInfo& input = pipeline.session().inputs()[0];
    fixed_rows_ = input.has_shape && !input.shape.empty() && input.shape[0] > 0;
    batch_rows_ = fixed_rows_ ? static_cast<size_t>(input.shape[0])
                              : static_cast<size_t>(std::max(options.batch_size, 1));
  }

  // Reads every record of `data` into batches on `queue`; closes it at the end.
  void run(Dataset& data, BoundedQueue<PreparedBatch>& queue) {
    try {
      read_all(data, queue);
    } catch (...) {
      PreparedBatch failed;
      failed.failure = std::current_exception();
      queue.push(std::move(failed));
    }
    queue.close();
  }

 private:
  void read_all(Dataset& data, BoundedQueue<PreparedBatch>& queue) {
    DataRecord record;
    for (int64_t index = 0;; ++index) {
      bool more = false;
      try {
        more = data.next(record);
      } catch (const BadRecord& bad) {  // the dataset has moved past it
        if (wanted(index)) fail(index, bad, queue);
        continue;
      }
      if (!more) break;
      if (!wanted(index)) continue;
      // A batch holds one kind of input (images or tensors); a change of kind starts a new one.
      if (!batch_.rows.empty() && record.is_image != images_in_batch_ &&
          !queue.push(finish_batch()))
        return;
      try {
        add(index, record);
      } catch (const Error& e) {
        fail(index, BadRecord(record.location, e.what()), queue);
      }
      if (batch_.answers.size() >= batch_rows_ && !queue.push(finish_batch())) return;
    }
    if (!batch_.answers.empty()) queue.push(finish_batch());
  }

  bool wanted(int64_t index) const {
    return index > options_.done_through && options_.shard.takes(index);
  }

  static RecordAnswer answer_for(int64_t index, const DataRecord& record) {
    RecordAnswer answer;
    answer.record = index;
    answer.location = record.location;
    answer.target_class = record.target_class;
    answer.target_name = record.target_name;
    answer.target_values = record.target_values;
    return answer;
  }

  void fail(int64_t index, const BadRecord& bad, BoundedQueue<PreparedBatch>& queue) {
    if (options_.strict) {
      if (!batch_.answers.empty()) queue.push(finish_batch());  // answers before it still count
      throw bad;
    }
    if (options_.on_bad_record) options_.on_bad_record(bad);
    RecordAnswer answer;
    answer.record = index;
    answer.location = bad.location();
    answer.prediction.source = bad.location();
    answer.prediction.error = bad.what();
    batch_.answers.push_back(std::move(answer));
  }

  void add(int64_t index, DataRecord& record) {
    if (record.is_image) {
      Image ready = pipeline_.preprocess(record.image);
      if (!images_.empty() &&
          (ready.width != images_[0].width || ready.height != images_[0].height ||
           ready.channels != images_[0].channels))
        throw Error(ErrorKind::kInvalidArgument, "preprocessed to a different size than record " +
                                                     batch_.answers[batch_.rows[0]].location);
      images_.push_back(std::move(ready));
    } else {
      if (!batch_.rows.empty() && record.tensor_shape != row_shape_)
        throw Error(ErrorKind::kInvalidArgument, "shape " + shape_to_string(record.tensor_shape) +
                                                     " differs from record " +
                                                     batch_.answers[batch_.rows[0]].location +
                                                     "'s " + shape_to_string(row_shape_));
      row_shape_ = record.tensor_shape;
      rows_.insert(rows_.end(), record.tensor.begin(), record.tensor.end());
    }
    images_in_batch_ = record.is_image;
    batch_.rows.push_back(batch_.answers.size());
    batch_.answers.push_back(answer_for(index, record));
  }

  // Builds the input tensor for the rows gathered so far.
  void flush_input() {
    if (batch_.rows.empty()) return;
    if (images_in_batch_) {
      // A model with a fixed batch size gets exactly that many rows: pad with the last one.
      while (fixed_rows_ && images_.size() < batch_rows_) images_.push_back(images_.back());
      batch_.input = images_to_tensor(images_, pipeline_.tensor_options());
    } else {
      const size_t per_row = rows_.size() / batch_.rows.size();
      while (fixed_rows_ && rows_.size() < per_row * batch_rows_)
        rows_.insert(rows_.end(), rows_.end() - static_cast<ptrdiff_t>(per_row), rows_.end());
      Shape shape = row_shape_;
      shape.insert(shape.begin(), static_cast<int64_t>(rows_.size() / per_row));
      batch_.input = Tensor::empty(DType::kFloat32, shape);
      std::copy(rows_.begin(), rows_.end(), batch_.input.data<float>());
    }
    images_.clear();
    rows_.clear();
  }

  PreparedBatch finish_batch() {
    flush_input();
    PreparedBatch done = std::move(batch_);
    batch_ = PreparedBatch();
    return done;
  }

  const Pipeline& pipeline_;
  const BatchPredictionOptions& options_;
  bool fixed_rows_ = false;
  size_t batch_rows_ = 1;
  PreparedBatch batch_;
  bool images_in_batch_ = false;
  std::vector<Image> images_;
  std::vector<float> rows_;
  Shape row_shape_;
};

void answer_rows(const Pipeline& pipeline, PreparedBatch& batch) {
  if (batch.rows.empty()) return;
  std::vector<Prediction> predictions = pipeline.predict_tensor(batch.input);
  for (size_t r = 0; r < batch.rows.size(); ++r) {
    RecordAnswer& answer = batch.answers[batch.rows[r]];
    answer.prediction = std::move(predictions[r]);
    answer.prediction.source = answer.location;
  }
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  auto bad = [&](const std::string& problem) {
    return Error(ErrorKind::kInvalidArgument,
                 "shard '" + text + "': " + problem +
                     " (expected I/N with 0 <= I < N, or env/N with I from JOB_COMPLETION_INDEX)");
  };
  auto number = [&](const std::string& digits, const char* what) {
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 12)
      throw bad(std::string(what) + " '" + digits + "' is not a whole number");
    return std::stoll(digits);
  };
  if (slash == std::string::npos) throw bad("no '/'");
  std::string index_text = text.substr(0, slash);
  if (index_text == "env") {
    const char* from_job = std::getenv("JOB_COMPLETION_INDEX");
    if (!from_job) throw bad("JOB_COMPLETION_INDEX is not set");
    index_text = from_job;
  }
  Shard shard;
  shard.index = number(index_text, "index");
  shard.count = number(text.substr(slash + 1), "count");
  if (shard.count < 1) throw bad("the count must be at least 1");
  if (shard.index >= shard.count)
    throw bad("index " + std::to_string(shard.index) + " is not below the count");
  return shard;
}

BatchPredictionSummary predict_dataset(
    const Pipeline& pipeline, Dataset& data, const BatchPredictionOptions& options,
    const std::function<void(const std::vector<RecordAnswer>& batch)>& on_batch) {
  pipeline.require_single_view("predict --data");
  const auto start = std::chrono::steady_clock::now();
  BoundedQueue<PreparedBatch> queue(static_cast<size_t>(std::max(options.queued_batches, 1)));
  BatchReader reader(pipeline, options);
  std::thread reading([&] { reader.run(data, queue); });
  // However this function is left, the reading thread is told to stop and is joined.
  struct StopReading {
    BoundedQueue<PreparedBatch>& queue;
    std::thread& thread;
    ~StopReading() {
      queue.close();
      thread.join();
    }
  } stop{queue, reading};

  BatchPredictionSummary summary;
  while (std::optional<PreparedBatch> batch = queue.pop()) {
    if (batch->failure) std::rethrow_exception(batch->failure);
    answer_rows(pipeline, *batch);
    on_batch(batch->answers);
    for (const RecordAnswer& answer : batch->answers)
      if (!answer.prediction.ok()) ++summary.failed;
    summary.answered += static_cast<int64_t>(batch->answers.size());
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace infera
