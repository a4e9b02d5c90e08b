// csv:FILE?target=COL[,COL2...][&features=A,B,...]: a table for tabular models. The first row
// names the columns; each further row is one record whose input is the feature columns (all
// columns but the targets when `features` is not given) as a float32 vector, in the order
// given. One numeric target is a class index when it is a whole number (and a regression
// value either way); text is a class name; several targets are values (multi-output
// regression, multilabel 0/1).
#include <algorithm>
#include <charconv>
#include <fstream>

#include "data/csv_reader.h"
#include "data/dataset.h"

namespace infera {
namespace {

bool parse_number(const std::string& text, float& value) {
  size_t begin = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
  if (begin == std::string::npos) return false;
  const char* first = text.data() + begin;
  const char* last = text.data() + end + 1;
  if (*first == '+') ++first;
  const auto [stop, error] = std::from_chars(first, last, value);
  return error == std::errc() && stop == last;
}

class CsvTableDataset : public Dataset {
 public:
  CsvTableDataset(const std::string& file, const std::vector<std::string>& targets,
                  const std::vector<std::string>& features)
      : file_(file), in_(file), csv_(in_, file) {
    if (!in_) throw Error(ErrorKind::kIo, "cannot open the table " + file);
    std::vector<std::string> header;
    if (!csv_.next_row(header))
      throw Error(ErrorKind::kInvalidArgument, file + " is empty: expected a header row");
    columns_ = header.size();
    auto column = [&](const std::string& name) {
      for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
      std::string known;
      for (const std::string& h : header) known += (known.empty() ? "" : ", ") + h;
      throw Error(ErrorKind::kInvalidArgument,
                  file + " has no column '" + name + "' (it has " + known + ")");
    };
    for (const std::string& name : targets) target_columns_.push_back(column(name));
    if (!features.empty()) {
      for (const std::string& name : features) feature_columns_.push_back(column(name));
    } else {
      for (size_t i = 0; i < header.size(); ++i)
        if (std::find(target_columns_.begin(), target_columns_.end(), i) == target_columns_.end())
          feature_columns_.push_back(i);
    }
    std::string line;  // counted up front for progress (rows with line breaks in quotes aside)
    for (std::ifstream count(file); std::getline(count, line);) total_ += !line.empty();
    total_ = std::max<int64_t>(total_ - 1, 0);
  }

  bool next(DataRecord& record) override {
    std::vector<std::string> fields;
    if (!csv_.next_row(fields)) return false;
    record.location = csv_.row_location();
    record.is_image = false;
    if (fields.size() != columns_)
      throw BadRecord(record.location, std::to_string(fields.size()) + " fields, the header has " +
                                           std::to_string(columns_));
    record.tensor.resize(feature_columns_.size());
    for (size_t i = 0; i < feature_columns_.size(); ++i)
      if (!parse_number(fields[feature_columns_[i]], record.tensor[i]))
        throw BadRecord(record.location, "feature column " +
                                             std::to_string(feature_columns_[i] + 1) + " is '" +
                                             fields[feature_columns_[i]] + "', not a number");
    record.tensor_shape = {static_cast<int64_t>(feature_columns_.size())};
    set_target(record, fields);
    return true;
  }

  int64_t size() const override { return total_; }

 private:
  void set_target(DataRecord& record, const std::vector<std::string>& fields) {
    record.target_class = -1;
    record.target_name.clear();
    record.target_values.assign(target_columns_.size(), 0.0f);
    for (size_t i = 0; i < target_columns_.size(); ++i) {
      const std::string& text = fields[target_columns_[i]];
      if (parse_number(text, record.target_values[i])) continue;
      if (target_columns_.size() > 1 || text.empty())
        throw BadRecord(record.location, "target '" + text + "' is not a number");
      record.target_values.clear();
      record.target_name = text;
      return;
    }
    const float v = record.target_values.size() == 1 ? record.target_values[0] : -1.0f;
    if (v >= 0 && v == static_cast<float>(static_cast<int>(v)))
      record.target_class = static_cast<int>(v);
  }

  std::string file_;
  std::ifstream in_;
  CsvReader csv_;
  size_t columns_ = 0;
  std::vector<size_t> target_columns_, feature_columns_;
  int64_t total_ = 0;
};

}  // namespace

std::unique_ptr<Dataset> open_csv_table_dataset(const std::string& file,
                                                const std::vector<std::string>& targets,
                                                const std::vector<std::string>& features) {
  return std::make_unique<CsvTableDataset>(file, targets, features);
}

}  // namespace infera
