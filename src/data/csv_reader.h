// A small CSV reader (RFC 4180): comma-separated fields, double quotes around fields holding
// commas, quotes ("" inside quotes) or line breaks, \n or \r\n line ends. Reads one row at a
// time from a stream, so memory stays flat however long the file is.
//
//   CsvReader csv(in, "table.csv");
//   std::vector<std::string> fields;
//   while (csv.next_row(fields)) use(csv.row_line(), fields);
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace infera {

class CsvReader {
 public:
  CsvReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}

  // The next row's fields; false at the end of the input. Blank lines are skipped. A quote
  // left open at the end of the file is an Error naming the line it opened on.
  bool next_row(std::vector<std::string>& fields);
  // The line the last row began on, counting from 1 ("table.csv:12" in messages).
  int64_t row_line() const { return row_line_; }
  std::string row_location() const { return name_ + ":" + std::to_string(row_line_); }

 private:
  std::istream& in_;
  std::string name_;
  int64_t line_ = 0;
  int64_t row_line_ = 0;
};

}  // namespace infera
