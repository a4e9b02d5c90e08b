#include "data/concatenated_dataset.h"

namespace infera {
namespace {

class ConcatenatedDataset : public Dataset {
 public:
  explicit ConcatenatedDataset(std::vector<std::unique_ptr<Dataset>> parts)
      : parts_(std::move(parts)) {}

  bool next(DataRecord& record) override {
    for (; current_ < parts_.size(); ++current_)
      if (parts_[current_]->next(record)) return true;  // a BadRecord passes through
    return false;
  }

  int64_t size() const override {
    int64_t total = 0;
    for (const auto& part : parts_) {
      if (part->size() < 0) return -1;
      total += part->size();
    }
    return total;
  }

  // Only when every part names the same classes; otherwise the pipeline's labels decide.
  std::vector<std::string> class_names() const override {
    if (parts_.empty()) return {};
    const std::vector<std::string> first = parts_.front()->class_names();
    for (const auto& part : parts_)
      if (part->class_names() != first) return {};
    return first;
  }

 private:
  std::vector<std::unique_ptr<Dataset>> parts_;
  size_t current_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> concatenate_datasets(std::vector<std::unique_ptr<Dataset>> parts) {
  if (parts.size() == 1) return std::move(parts.front());
  return std::make_unique<ConcatenatedDataset>(std::move(parts));
}

}  // namespace infera
