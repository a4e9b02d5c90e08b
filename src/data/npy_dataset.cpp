// npy:INPUTS.npy,TARGETS.npy: record i is INPUTS[i] with target TARGETS[i], read a chunk at a
// time. Targets of shape [N] (or [N, 1]) holding whole numbers are class indices; [N, K] are
// values (regression outputs, or multilabel 0/1 columns).
#include "data/dataset.h"
#include "data/tensor_records.h"
#include "io/npy.h"

namespace infera {
namespace {

class NpyDataset : public ArrayPairDataset {
 public:
  NpyDataset(const std::string& inputs, const std::string& targets)
      : ArrayPairDataset(inputs), inputs_(inputs), targets_(targets) {
    if (inputs_.record_count() != targets_.record_count())
      throw Error(ErrorKind::kInvalidArgument,
                  targets + " has " + std::to_string(targets_.record_count()) + " targets for " +
                      std::to_string(inputs_.record_count()) + " inputs in " + inputs);
  }

  int64_t size() const override { return inputs_.record_count(); }

 private:
  bool read_chunk(Tensor& inputs, Tensor& targets) override {
    if (!inputs_.next_batch(kChunkRecords, inputs)) return false;
    return targets_.next_batch(kChunkRecords, targets);
  }

  NpyRecordReader inputs_, targets_;
};

}  // namespace

std::unique_ptr<Dataset> open_npy_dataset(const std::string& inputs, const std::string& targets) {
  return std::make_unique<NpyDataset>(inputs, targets);
}

}  // namespace infera
