// The evaluation loop: read records, batch them, predict, check each target against the task,
// keep the sample. Only one batch of inputs is held at a time.
#include "eval/evaluator.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace infera {
namespace {

int output_count(const Pipeline& pipeline) {
  const TensorInfo& output = pipeline.session().outputs()[0];
  if (output.has_shape && !output.shape.empty() && output.shape.back() > 0)
    return static_cast<int>(output.shape.back());
  return static_cast<int>(pipeline.spec().labels.size());  // 0: learnt from the first answer
}

class Evaluation {
 public:
  Evaluation(const Pipeline& pipeline, const EvalOptions& options)
      : pipeline_(pipeline), spec_(pipeline.spec()), options_(options) {
    result_.task = spec_.task;
    result_.labels = spec_.labels;
    outputs_ = spec_.task == Task::kBinary ? 2 : output_count(pipeline);
  }

  void add(DataRecord&& record) {
    if (!batch_.empty() && batch_.front().is_image != record.is_image) flush();
    check_target(record);
    batch_.push_back(std::move(record));
    if (static_cast<int>(batch_.size()) >= std::max(options_.batch_size, 1)) flush();
  }

  void skip(const BadRecord& bad) {
    if (options_.strict) throw bad;
    ++result_.skipped;
    if (options_.on_skip) options_.on_skip(bad);
  }

  void flush();
  EvalResult finish();

 private:
  void check_target(DataRecord& record) const;
  std::vector<Prediction> predict_batch();
  void keep(const DataRecord& record, Prediction& p);

  const Pipeline& pipeline_;
  const PipelineSpec& spec_;
  const EvalOptions& options_;
  int outputs_ = 0;
  std::vector<DataRecord> batch_;
  EvalResult result_;
};

void Evaluation::check_target(DataRecord& record) const {
  if (!record.target_name.empty()) {
    const auto found = std::find(spec_.labels.begin(), spec_.labels.end(), record.target_name);
    if (found == spec_.labels.end())
      throw BadRecord(record.location, "label '" + record.target_name +
                                           "' is not one of the model's " +
                                           std::to_string(spec_.labels.size()) + " labels");
    record.target_class = static_cast<int>(found - spec_.labels.begin());
  }
  const bool classes = spec_.task == Task::kMulticlass || spec_.task == Task::kBinary;
  if (classes && (record.target_class < 0 || (outputs_ > 0 && record.target_class >= outputs_)))
    throw BadRecord(record.location, record.target_class < 0
                                         ? "the target is not a class index"
                                         : "target class " + std::to_string(record.target_class) +
                                               " is beyond the model's " +
                                               std::to_string(outputs_) + " classes");
  if (!classes && outputs_ > 0 && static_cast<int>(record.target_values.size()) != outputs_)
    throw BadRecord(record.location, std::to_string(record.target_values.size()) +
                                         " target values for the model's " +
                                         std::to_string(outputs_) + " outputs");
}

std::vector<Prediction> Evaluation::predict_batch() {
  if (batch_.front().is_image) {
    std::vector<Image> images;
    for (DataRecord& r : batch_) images.push_back(std::move(r.image));
    return pipeline_.predict_images(images, static_cast<int>(images.size()));
  }
  const DataRecord& first = batch_.front();
  Shape shape = first.tensor_shape;
  shape.insert(shape.begin(), static_cast<int64_t>(batch_.size()));
  Tensor tensor = Tensor::empty(DType::kFloat32, shape);
  float* out = tensor.data<float>();
  for (const DataRecord& r : batch_) {
    if (r.tensor_shape != first.tensor_shape)
      throw Error(ErrorKind::kInvalidArgument,
                  r.location + ": shape " + shape_to_string(r.tensor_shape) +
                      " differs from the first record's " + shape_to_string(first.tensor_shape));
    out = std::copy(r.tensor.begin(), r.tensor.end(), out);
  }
  return pipeline_.predict_tensor(tensor);
}

void Evaluation::keep(const DataRecord& record, Prediction& p) {
  EvaluatedSample s;
  s.source = record.location;
  s.target = record.target_class;
  s.target_values = record.target_values;
  if (spec_.task == Task::kRegression) {
    s.predicted_values = std::move(p.values);
  } else {
    s.probabilities = std::move(p.probabilities);
    if (spec_.task == Task::kBinary)
      s.predicted = s.probabilities[1] >= spec_.threshold ? 1 : 0;
    else if (!p.top_k.empty())
      s.predicted = p.top_k.front().index;
    if (s.predicted >= 0) s.confidence = s.probabilities[static_cast<size_t>(s.predicted)];
    s.rejected = s.confidence < spec_.min_confidence;
  }
  result_.samples.push_back(std::move(s));
}

void Evaluation::flush() {
  if (batch_.empty()) return;
  std::vector<Prediction> predictions = predict_batch();
  for (size_t i = 0; i < batch_.size(); ++i) {
    Prediction& p = predictions[i];
    if (!p.ok()) {
      skip(BadRecord(batch_[i].location, p.error));
      continue;
    }
    const size_t produced =
        spec_.task == Task::kRegression ? p.values.size() : p.probabilities.size();
    if (outputs_ == 0) outputs_ = static_cast<int>(produced);
    keep(batch_[i], p);
  }
  batch_.clear();
}

EvalResult Evaluation::finish() {
  flush();
  const std::vector<EvaluatedSample>& samples = result_.samples;
  if (spec_.task == Task::kMulticlass || spec_.task == Task::kBinary) {
    const int top_k = options_.top_k > 0 ? options_.top_k : spec_.top_k > 1 ? spec_.top_k : 5;
    result_.classification = classification_metrics(samples, outputs_, top_k, spec_.min_confidence);
    if (spec_.task == Task::kBinary) result_.binary = binary_metrics(samples, spec_.threshold);
  } else if (spec_.task == Task::kMultilabel) {
    const std::vector<float> thresholds =
        spec_.thresholds.empty() ? std::vector<float>{spec_.threshold} : spec_.thresholds;
    result_.multilabel = multilabel_metrics(samples, outputs_, thresholds);
  } else {
    result_.regression = regression_metrics(samples, outputs_);
  }
  return std::move(result_);
}

}  // namespace

EvalResult evaluate(const Pipeline& pipeline, Dataset& data, const EvalOptions& options) {
  pipeline.require_single_view("evaluation");
  const auto start = std::chrono::steady_clock::now();
  Evaluation evaluation(pipeline, options);
  int64_t total = data.size();
  if (options.limit >= 0 && (total < 0 || total > options.limit)) total = options.limit;
  int64_t read = 0;
  const int64_t every = std::max(options.batch_size, 1);
  DataRecord record;
  while (options.limit < 0 || read < options.limit) {
    bool more = false;
    try {
      more = data.next(record);
    } catch (const BadRecord& bad) {  // the dataset has moved past it
      ++read;
      evaluation.skip(bad);
      continue;
    }
    if (!more) break;
    ++read;
    try {
      evaluation.add(std::move(record));
    } catch (const BadRecord& bad) {
      evaluation.skip(bad);
    }
    if (options.on_progress && read % every == 0) options.on_progress(read, total);
  }
  EvalResult result = evaluation.finish();
  if (options.on_progress) options.on_progress(read, total);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

std::vector<const EvaluatedSample*> most_confident_mistakes(
    const std::vector<EvaluatedSample>& samples, size_t count) {
  std::vector<const EvaluatedSample*> wrong;
  for (const EvaluatedSample& s : samples)
    if (s.target >= 0 && s.predicted >= 0 && s.predicted != s.target) wrong.push_back(&s);
  std::stable_sort(wrong.begin(), wrong.end(),
                   [](const EvaluatedSample* a, const EvaluatedSample* b) {
                     return a->confidence > b->confidence;
                   });
  if (wrong.size() > count) wrong.resize(count);
  return wrong;
}

}  // namespace infera
