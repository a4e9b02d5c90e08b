// Batch prediction over a dataset of any size: records are read, decoded and preprocessed on a
// worker thread while the model runs on the caller's, joined by a queue of a few batches, so
// memory stays flat however many records there are. Answers come back batch by batch in record
// order, each carrying the record's index in the dataset, which is what makes a run resumable
// (skip the indices already answered) and shardable (take index % count == index).
//
//   Pipeline pipeline = Pipeline::load("model.onnx");
//   std::unique_ptr<Dataset> data = open_dataset("idx:t10k");
//   BatchPredictionOptions options;
//   options.shard = parse_shard("1/4");   // every 4th record from record 1
//   predict_dataset(pipeline, *data, options, [&](const std::vector<RecordAnswer>& batch) {
//     for (const RecordAnswer& a : batch) write(a.record, a.location, a.prediction);
//   });
#pragma once

#include <functional>

#include "data/dataset.h"
#include "infera/pipeline.h"

namespace infera {

// Which records a process takes: those whose index % count == index.
struct Shard {
  int64_t index = 0;
  int64_t count = 1;
  bool takes(int64_t record) const { return record % count == index; }
};

// "I/N" with 0 <= I < N; "env/N" takes I from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job
// sets it in each pod). Error(kInvalidArgument) names what was expected.
Shard parse_shard(const std::string& text);

struct RecordAnswer {
  int64_t record = 0;    // index in the dataset, counting bad records
  std::string location;  // as the dataset names it
  // The target as the data gives it (see DataRecord); none when target_class < 0, the name is
  // empty and there are no values.
  int target_class = -1;
  std::string target_name;
  std::vector<float> target_values;
  Prediction prediction;  // prediction.error set for a record that could not be used
};

struct BatchPredictionOptions {
  int batch_size = 64;
  Shard shard;
  int64_t done_through = -1;  // resume: records up to this index are already answered
  bool strict = false;        // a bad record ends the run (its BadRecord is thrown)
  int queued_batches = 4;     // how far reading may run ahead of the model
  std::function<void(const BadRecord&)> on_bad_record;
};

struct BatchPredictionSummary {
  int64_t answered = 0;  // records given to on_batch, bad ones included
  int64_t failed = 0;    // of those, the ones with an error
  double seconds = 0;
};

// Calls on_batch with each batch's answers in record order. An exception from on_batch or the
// model stops the reading thread and propagates; batches already given stay given.
BatchPredictionSummary predict_dataset(
    const Pipeline& pipeline, Dataset& data, const BatchPredictionOptions& options,
    const std::function<void(const std::vector<RecordAnswer>& batch)>& on_batch);

}  // namespace infera
