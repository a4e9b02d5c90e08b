// JSON lines and CSV for batch prediction, and reading them back for --resume.
#include "pipeline/prediction_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace infera {
namespace {

const char* const kCsvColumns[] = {"record", "source",    "label",  "index",  "confidence",
                                   "top_k",  "positives", "values", "target", "error"};

// A float as its shortest decimal form, so 0.93f prints as 0.93, not 0.9300000071525574.
std::string float_text(float value) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : "nan";
}

// JSON text for a string, and for floats as their shortest form (nlohmann's double printing
// would turn 3.144675e-08f into 3.1446749999999997e-08). NaN and infinity have no JSON form.
std::string json_string(const std::string& text) {
  return nlohmann::json(text).dump();
}

std::string json_float(float value) {
  return std::isfinite(value) ? float_text(value) : "null";
}

std::string json_floats(const std::vector<float>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += json_float(values[i]);
  }
  return out + "]";
}

std::string json_scored(const std::vector<ScoredLabel>& entries) {
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i)
    out += std::string(i ? "," : "") + "{\"label\":" + json_string(entries[i].label) +
           ",\"index\":" + std::to_string(entries[i].index) +
           ",\"probability\":" + json_float(entries[i].probability) + "}";
  return out + "]";
}

// Keys in a fixed order, "record" first: merging shards can then sort the text itself.
std::string answer_json(const RecordAnswer& a) {
  std::string out =
      "{\"record\":" + std::to_string(a.record) + ",\"source\":" + json_string(a.location);
  const Prediction& p = a.prediction;
  if (!p.ok()) {
    out += ",\"error\":" + json_string(p.error);
  } else if (!p.values.empty()) {
    out += ",\"values\":" + json_floats(p.values);
  } else {
    out += ",\"label\":" + json_string(p.label) + ",\"index\":" + std::to_string(p.index) +
           ",\"confidence\":" + json_float(p.confidence) + ",\"top_k\":" + json_scored(p.top_k);
    if (!p.positives.empty()) out += ",\"positives\":" + json_scored(p.positives);
  }
  if (a.target_class >= 0)
    out += ",\"target\":" + std::to_string(a.target_class);
  else if (!a.target_name.empty())
    out += ",\"target\":" + json_string(a.target_name);
  else if (!a.target_values.empty())
    out += ",\"target\":" + json_floats(a.target_values);
  return out + "}";
}

// RFC 4180 quoting for a comma or quote. Line breaks become spaces: one record, one line, which
// resume_point relies on.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text)
    out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' || c == '\r' ? ' ' : c);
  return out + "\"";
}

std::string joined(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? std::string(1, separator) : "") + parts[i];
  return out;
}

std::string csv_line(const RecordAnswer& a) {
  const Prediction& p = a.prediction;
  std::vector<std::string> top_k, positives, values, target;
  // Lists are space-separated inside one column: "index:probability" pairs for classes.
  for (const ScoredLabel& s : p.top_k)
    top_k.push_back(std::to_string(s.index) + ":" + float_text(s.probability));
  for (const ScoredLabel& s : p.positives)
    positives.push_back(std::to_string(s.index) + ":" + float_text(s.probability));
  for (float v : p.values) values.push_back(float_text(v));
  if (a.target_class >= 0)
    target.push_back(std::to_string(a.target_class));
  else if (!a.target_name.empty())
    target.push_back(a.target_name);
  else
    for (float v : a.target_values) target.push_back(float_text(v));
  const bool classified = p.ok() && p.values.empty();
  const std::vector<std::string> fields = {std::to_string(a.record),
                                           csv_field(a.location),
                                           classified ? csv_field(p.label) : "",
                                           classified ? std::to_string(p.index) : "",
                                           classified ? float_text(p.confidence) : "",
                                           joined(top_k, ' '),
                                           joined(positives, ' '),
                                           joined(values, ' '),
                                           csv_field(joined(target, ' ')),
                                           csv_field(p.error)};
  return joined(fields, ',');
}

// The record index a whole line answers; Error naming the line when it has none.
int64_t line_record(const std::string& line, OutputFormat format, const std::string& where) {
  if (format == OutputFormat::kJsonLines) {
    const nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("record") &&
        parsed["record"].is_number_integer())
      return parsed["record"].get<int64_t>();
  } else {
    int64_t record = -1;
    const char* end = line.data() + line.find(',');
    const auto [stop, error] = std::from_chars(line.data(), end, record);
    if (line.find(',') != std::string::npos && error == std::errc() && stop == end) return record;
  }
  throw Error(ErrorKind::kInvalidArgument,
              where +
                  ": not an output line with a record index (was this file written by "
                  "infera predict --data?)");
}

// Cuts a last line that has no newline (a write cut short by a kill); returns the new size.
uintmax_t drop_partial_line(const std::string& path) {
  const uintmax_t size = std::filesystem::file_size(path);
  std::ifstream in(path, std::ios::binary);
  uintmax_t keep = size;
  const size_t chunk = 4096;
  std::string tail;
  while (keep > 0) {
    const uintmax_t from = keep > chunk ? keep - chunk : 0;
    tail.resize(keep - from);
    in.seekg(static_cast<std::streamoff>(from));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    const size_t newline = tail.rfind('\n');
    if (newline != std::string::npos) {
      keep = from + newline + 1;
      break;
    }
    keep = from;
  }
  if (keep != size) std::filesystem::resize_file(path, keep);
  return keep;
}

}  // namespace

OutputFormat output_format_for(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") return OutputFormat::kJsonLines;
  if (ext == ".csv") return OutputFormat::kCsv;
  throw Error(ErrorKind::kInvalidArgument,
              "output '" + path + "': expected a .jsonl or .csv file name, not '" + ext + "'");
}

std::string csv_header() {
  std::vector<std::string> names(std::begin(kCsvColumns), std::end(kCsvColumns));
  return joined(names, ',');
}

std::string answer_line(const RecordAnswer& answer, OutputFormat format) {
  return format == OutputFormat::kJsonLines ? answer_json(answer) : csv_line(answer);
}

int64_t resume_point(const std::string& path, OutputFormat format, const Shard& shard) {
  std::error_code missing;
  if (!std::filesystem::exists(path, missing)) return -1;
  if (drop_partial_line(path) == 0) return -1;
  std::ifstream in(path);
  std::string line;
  int64_t line_number = 0, last = -1;
  while (std::getline(in, line)) {
    ++line_number;
    const std::string where = path + ":" + std::to_string(line_number);
    if (format == OutputFormat::kCsv && line_number == 1) {
      if (line != csv_header())
        throw Error(ErrorKind::kInvalidArgument,
                    where + ": expected the header '" + csv_header() + "'");
      continue;
    }
    const int64_t record = line_record(line, format, where);
    const int64_t expected = last < 0 ? shard.index : last + shard.count;
    if (record != expected)
      throw Error(ErrorKind::kInvalidArgument, where + ": record " + std::to_string(record) +
                                                   " where shard " + std::to_string(shard.index) +
                                                   "/" + std::to_string(shard.count) +
                                                   " expects record " + std::to_string(expected) +
                                                   " (written with another --shard or dataset?)");
    last = record;
  }
  return last;
}

PredictionWriter::PredictionWriter(const std::string& path, OutputFormat format, bool append)
    : path_(path), format_(format) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
  if (fd_ < 0) throw Error(ErrorKind::kIo, "cannot write " + path + ": " + std::strerror(errno));
  if (format_ == OutputFormat::kCsv && ::lseek(fd_, 0, SEEK_END) == 0)
    write_all(csv_header() + "\n");
}

PredictionWriter::~PredictionWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void PredictionWriter::write(const std::vector<RecordAnswer>& batch) {
  buffer_.clear();
  for (const RecordAnswer& answer : batch) {
    buffer_ += answer_line(answer, format_);
    buffer_ += '\n';
  }
  write_all(buffer_);
}

void PredictionWriter::write_all(const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::kIo, "cannot write " + path_ + ": " + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

}  // namespace infera
