// list:FILE.csv | list:FILE.jsonl: image files with their labels, one per line, paths relative
// to the list's folder. CSV rows are `file,label` (an optional header row naming a `file` or
// `path` column is skipped); JSON lines are {"file": ..., "label": ...}. A label that is a whole
// number is a class index, any other text a class name looked up in the pipeline's labels.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/csv_reader.h"
#include "data/dataset.h"

namespace infera {
namespace {

namespace fs = std::filesystem;

class ImageListDataset : public Dataset {
 public:
  explicit ImageListDataset(const std::string& file)
      : file_(file), base_(fs::path(file).parent_path()), in_(file), csv_(in_, file) {
    if (!in_) throw Error(ErrorKind::kIo, "cannot open the list " + file);
    jsonl_ = fs::path(file).extension() == ".jsonl" || fs::path(file).extension() == ".ndjson";
    std::string line;  // counted up front for progress; the list is read again as it goes
    for (std::ifstream count(file); std::getline(count, line);) total_ += !line.empty();
  }

  bool next(DataRecord& record) override {
    std::string path, label;
    if (!(jsonl_ ? next_json_line(path, label) : next_csv_row(path, label))) return false;
    record.target_class = -1;
    record.target_name.clear();
    record.target_values.clear();
    set_target_from_text(record, label);
    read_image_record(record, fs::path(path).is_absolute() ? path : (base_ / path).string());
    return true;
  }

  int64_t size() const override { return total_; }

 private:
  bool next_csv_row(std::string& path, std::string& label) {
    std::vector<std::string> fields;
    if (!csv_.next_row(fields)) return false;
    if (csv_.row_line() == 1 && !fields.empty() && (fields[0] == "file" || fields[0] == "path")) {
      --total_;
      if (!csv_.next_row(fields)) return false;
    }
    if (fields.size() != 2)
      throw BadRecord(csv_.row_location(),
                      "expected 2 fields (file,label), found " + std::to_string(fields.size()));
    path = fields[0], label = fields[1];
    return true;
  }

  bool next_json_line(std::string& path, std::string& label) {
    std::string line;
    do {
      if (!std::getline(in_, line)) return false;
      ++line_;
    } while (line.empty());
    const std::string location = file_ + ":" + std::to_string(line_);
    const nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object()) throw BadRecord(location, "not a JSON object");
    const char* path_key = row.contains("file") ? "file" : "path";
    if (!row.contains(path_key) || !row[path_key].is_string() || !row.contains("label"))
      throw BadRecord(location, "expected {\"file\": \"...\", \"label\": index or name}");
    path = row[path_key].get<std::string>();
    const nlohmann::json& value = row["label"];
    if (value.is_number_integer())
      label = std::to_string(value.get<int64_t>());
    else if (value.is_string())
      label = value.get<std::string>();
    else
      throw BadRecord(location, "label must be an integer index or a name, got " + value.dump());
    return true;
  }

  std::string file_;
  fs::path base_;
  std::ifstream in_;
  CsvReader csv_;
  bool jsonl_ = false;
  int64_t line_ = 0, total_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> open_image_list_dataset(const std::string& file) {
  return std::make_unique<ImageListDataset>(file);
}

}  // namespace infera
