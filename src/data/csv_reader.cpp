#include "data/csv_reader.h"

#include "infera/error.h"

namespace infera {

bool CsvReader::next_row(std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool in_quotes = false, any = false;
  int c;
  while ((c = in_.get()) != std::char_traits<char>::eof()) {
    if (!any) row_line_ = line_ + 1;
    if (in_quotes) {
      if (c == '"' && in_.peek() == '"')
        field += static_cast<char>(in_.get());
      else if (c == '"')
        in_quotes = false;
      else {
        if (c == '\n') ++line_;
        field += static_cast<char>(c);
      }
      continue;
    }
    if (c == '\r' && in_.peek() == '\n') continue;
    if (c == '\n') {
      ++line_;
      if (!any) continue;  // a blank line
      fields.push_back(std::move(field));
      return true;
    }
    any = true;
    if (c == '"' && field.empty())
      in_quotes = true;
    else if (c == ',')
      fields.push_back(std::move(field)), field.clear();
    else
      field += static_cast<char>(c);
  }
  if (in_quotes)
    throw Error(ErrorKind::kInvalidArgument,
                name_ + ":" + std::to_string(row_line_) + ": a quoted field is never closed");
  if (!any) return false;
  fields.push_back(std::move(field));
  return true;
}

}  // namespace infera
