// The output of batch prediction: one line per dataset record, in record order, as JSON lines
// (FILE.jsonl) or CSV with a header (FILE.csv). Each line starts with the record's index in the
// dataset, so a later run can tell which records are done (resume_point) and shard outputs can
// be merged by sorting on it. docs/SCALING.md shows both formats.
//
//   PredictionWriter out("part-0.jsonl", OutputFormat::kJsonLines, /*append=*/false);
//   out.write(batch);   // whole lines, handed to the OS before it returns
#pragma once

#include <string>
#include <vector>

#include "pipeline/batch_prediction.h"

namespace infera {

enum class OutputFormat { kJsonLines, kCsv };

// From the file name: .jsonl (or .ndjson) or .csv; Error(kInvalidArgument) otherwise.
OutputFormat output_format_for(const std::string& path);

// The CSV header line (no newline) and one answer as a line (no newline).
std::string csv_header();
std::string answer_line(const RecordAnswer& answer, OutputFormat format);

// For --resume: reads `path` as written for `shard` by an earlier run that may have been
// killed. A trailing line without its newline (cut off mid-write) is truncated away; every
// whole line must answer the shard's next record (else Error naming the line: the file belongs
// to another shard or dataset). Returns the last record answered, -1 when none or no file.
int64_t resume_point(const std::string& path, OutputFormat format, const Shard& shard);

class PredictionWriter {
 public:
  // Creates (truncates) `path`, or appends to it; a CSV file gets its header when it is empty.
  PredictionWriter(const std::string& path, OutputFormat format, bool append);
  ~PredictionWriter();
  PredictionWriter(const PredictionWriter&) = delete;
  PredictionWriter& operator=(const PredictionWriter&) = delete;

  // The batch's lines in one write: a process killed at any moment leaves whole lines, except
  // possibly a last one cut short, which resume_point removes.
  void write(const std::vector<RecordAnswer>& batch);

 private:
  void write_all(const std::string& text);
  std::string path_;
  OutputFormat format_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace infera
