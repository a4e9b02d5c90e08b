// folder:DIR: torchvision's ImageFolder convention. Each sub-folder of DIR is a class, classes
// numbered in sorted name order; its image files (at any depth, sorted by path) are that
// class's samples. Files are listed one class at a time, so memory holds one folder's names.
#include <algorithm>
#include <filesystem>

#include "data/dataset.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> image_files_under(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry :
       fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink))
    if (entry.is_regular_file() && has_image_extension(entry.path().string()))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

class ImageFolderDataset : public Dataset {
 public:
  explicit ImageFolderDataset(const std::string& dir) : dir_(dir) {
    if (!fs::is_directory(dir_)) throw Error(ErrorKind::kIo, "no folder " + dir);
    for (const auto& entry : fs::directory_iterator(dir_))
      if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
    std::sort(classes_.begin(), classes_.end());
    if (classes_.empty())
      throw Error(
          ErrorKind::kInvalidArgument,
          dir + " has no sub-folders: folder:DIR expects one sub-folder of images per class");
    for (const std::string& name : classes_)
      for (const auto& entry : fs::recursive_directory_iterator(dir_ / name))
        total_ += entry.is_regular_file() && has_image_extension(entry.path().string());
  }

  bool next(DataRecord& record) override {
    while (next_file_ == files_.size()) {
      if (next_class_ == classes_.size()) return false;
      files_ = image_files_under(dir_ / classes_[next_class_++]);
      next_file_ = 0;
    }
    const std::string& path = files_[next_file_++];
    record.target_class = static_cast<int>(next_class_ - 1);
    record.target_name.clear();
    record.target_values.clear();
    read_image_record(record, path);
    return true;
  }

  int64_t size() const override { return total_; }
  std::vector<std::string> class_names() const override { return classes_; }

 private:
  fs::path dir_;
  std::vector<std::string> classes_;
  int64_t total_ = 0;
  size_t next_class_ = 0;
  std::vector<std::string> files_;
  size_t next_file_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> open_image_folder_dataset(const std::string& dir) {
  return std::make_unique<ImageFolderDataset>(dir);
}

}  // namespace infera
