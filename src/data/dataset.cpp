// Data spec strings -> dataset readers.
#include "data/dataset.h"

#include <cctype>
#include <charconv>
#include <filesystem>

namespace infera {
namespace {

[[noreturn]] void bad_spec(const std::string& spec, const std::string& problem) {
  throw Error(ErrorKind::kInvalidArgument,
              "data spec '" + spec + "': " + problem +
                  " (expected idx:PREFIX, folder:DIR, list:FILE.csv|FILE.jsonl, "
                  "csv:FILE?target=COL[&features=A,B,...], or npy:INPUTS.npy,TARGETS.npy)");
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string::npos; start = at + 1)
    parts.push_back(text.substr(start, at - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::unique_ptr<Dataset> open_csv_spec(const std::string& spec, const std::string& rest) {
  const size_t question = rest.find('?');
  const std::string file = rest.substr(0, question);
  std::vector<std::string> targets, features;
  if (question != std::string::npos) {
    for (const std::string& option : split(rest.substr(question + 1), '&')) {
      const size_t equals = option.find('=');
      const std::string key = option.substr(0, equals);
      const std::string value = equals == std::string::npos ? "" : option.substr(equals + 1);
      if (key == "target")
        targets = split(value, ',');
      else if (key == "features")
        features = split(value, ',');
      else
        bad_spec(spec, "unknown option '" + key + "' (csv takes target= and features=)");
    }
  }
  if (targets.empty()) bad_spec(spec, "csv needs ?target=COLUMN");
  return open_csv_table_dataset(file, targets, features);
}

}  // namespace

bool has_image_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* known : {".png", ".jpg", ".jpeg", ".pgm", ".ppm", ".pnm", ".bmp"})
    if (ext == known) return true;
  return false;
}

void read_image_record(DataRecord& record, const std::string& path) {
  record.location = path;
  record.is_image = true;
  record.tensor.clear();
  try {
    record.image = read_image_file(path);
  } catch (const Error& e) {
    throw BadRecord(path, e.what());
  }
}

void set_target_from_text(DataRecord& record, const std::string& text) {
  int index = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (error == std::errc() && end == text.data() + text.size() && !text.empty() && index >= 0) {
    record.target_class = index;
  } else {
    record.target_name = text;
  }
}

std::unique_ptr<Dataset> open_dataset(const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) bad_spec(spec, "no kind before ':'");
  const std::string kind = spec.substr(0, colon), rest = spec.substr(colon + 1);
  if (rest.empty()) bad_spec(spec, "nothing after '" + kind + ":'");
  if (kind == "idx") return open_idx_dataset(rest);
  if (kind == "folder") return open_image_folder_dataset(rest);
  if (kind == "list") return open_image_list_dataset(rest);
  if (kind == "csv") return open_csv_spec(spec, rest);
  if (kind == "npy") {
    const std::vector<std::string> files = split(rest, ',');
    if (files.size() != 2) bad_spec(spec, "npy takes two files, INPUTS.npy,TARGETS.npy");
    return open_npy_dataset(files[0], files[1]);
  }
  bad_spec(spec, "unknown kind '" + kind + "'");
}

}  // namespace infera
