// Shared by the IDX and NPY datasets: one first-axis slice of an array as a record's input
// or target. A uint8 [H, W] or [H, W, 1|3] slice is an image, so it goes through the
// pipeline's preprocessing like a decoded file; anything else is a tensor fed as it is.
#pragma once

#include "data/dataset.h"

namespace infera {

// Converts a batch to float32 once (host order, [n, ...]).
Tensor batch_as_float(const Tensor& batch);

// Record `row` of `batch` (its original dtype) / of `as_float` into `record`'s input.
void set_record_input(DataRecord& record, const Tensor& batch, const Tensor& as_float, int64_t row);

// Record `row` of a target batch: one integer is a class, anything else values.
void set_record_target(DataRecord& record, const Tensor& as_float, int64_t row);

// A dataset of two arrays read in chunks (IDX images + labels, NPY inputs + targets): record i
// is inputs[i] with target targets[i]. Subclasses read the next chunk of each.
class ArrayPairDataset : public Dataset {
 public:
  bool next(DataRecord& record) override;

 protected:
  static constexpr size_t kChunkRecords = 256;
  explicit ArrayPairDataset(std::string location) : location_(std::move(location)) {}
  // The next chunk of inputs and of targets, with the same record count; false at the end.
  virtual bool read_chunk(Tensor& inputs, Tensor& targets) = 0;

 private:
  std::string location_;
  Tensor inputs_chunk_, targets_chunk_, inputs_float_, targets_float_;
  int64_t chunk_rows_ = 0, row_ = 0, index_ = 0;
};

}  // namespace infera
