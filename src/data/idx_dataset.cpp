// idx:PREFIX: MNIST-layout images and labels, read a chunk of records at a time.
#include <filesystem>

#include "data/dataset.h"
#include "data/idx.h"
#include "data/tensor_records.h"

namespace infera {
namespace {

std::string find_idx_file(const std::string& prefix, const std::string& kind) {
  for (const char* suffix : {"-ubyte.gz", "-ubyte"}) {
    const std::string path = prefix + "-" + kind + suffix;
    if (std::filesystem::exists(path)) return path;
  }
  throw Error(ErrorKind::kIo, "no IDX file " + prefix + "-" + kind + "-ubyte[.gz]");
}

class IdxDataset : public ArrayPairDataset {
 public:
  IdxDataset(const std::string& images, const std::string& labels)
      : ArrayPairDataset(std::filesystem::path(images).filename().string()),
        images_(images),
        labels_(labels) {
    if (labels_.record_count() != images_.record_count())
      throw Error(ErrorKind::kInvalidArgument,
                  labels + " has " + std::to_string(labels_.record_count()) + " labels for " +
                      std::to_string(images_.record_count()) + " images in " + images);
  }

  int64_t size() const override { return images_.record_count(); }

 private:
  bool read_chunk(Tensor& inputs, Tensor& targets) override {
    if (!images_.next_batch(kChunkRecords, inputs)) return false;
    return labels_.next_batch(kChunkRecords, targets);
  }

  IdxReader images_, labels_;
};

}  // namespace

std::unique_ptr<Dataset> open_idx_dataset(const std::string& prefix) {
  return std::make_unique<IdxDataset>(find_idx_file(prefix, "images-idx3"),
                                      find_idx_file(prefix, "labels-idx1"));
}

}  // namespace infera
