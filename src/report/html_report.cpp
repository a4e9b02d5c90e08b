#include "report/html_report.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "infera/error.h"

namespace infera::report {
namespace {

using nlohmann::json;

const char* const kStyle = R"(body { font-family: sans-serif; margin: 2em auto; max-width: 1100px;
  color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.7em; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f0f3f8; }
figure { margin: 1.2em 0; } figcaption { color: #555; margin-top: 0.3em; }
img { max-width: 100%; border: 1px solid #ddd; }
)";

std::string cell(const json& value) {
  if (value.is_string()) return "<td>" + html_escape(value.get<std::string>()) + "</td>";
  if (value.is_number_float()) {
    std::ostringstream out;
    out.precision(6);
    out << value.get<double>();
    return "<td class=\"number\">" + out.str() + "</td>";
  }
  if (value.is_number()) return "<td class=\"number\">" + value.dump() + "</td>";
  return "<td>" + html_escape(value.dump()) + "</td>";
}

bool is_table_of_objects(const json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const json& row : value)
    if (!row.is_object()) return false;
  return true;
}

// One row per element, one column per key that any element has (in first-seen order).
void write_object_array_table(std::ostream& html, const json& rows) {
  std::vector<std::string> columns;
  std::set<std::string> seen;
  for (const json& row : rows)
    for (auto it = row.begin(); it != row.end(); ++it)
      if (seen.insert(it.key()).second) columns.push_back(it.key());
  html << "<table>\n<tr>";
  for (const std::string& c : columns) html << "<th>" << html_escape(c) << "</th>";
  html << "</tr>\n";
  for (const json& row : rows) {
    html << "<tr>";
    for (const std::string& c : columns) html << (row.contains(c) ? cell(row[c]) : "<td></td>");
    html << "</tr>\n";
  }
  html << "</table>\n";
}

void write_metrics(std::ostream& html, const json& metrics, const std::string& heading) {
  json scalars = json::object();
  for (auto it = metrics.begin(); it != metrics.end(); ++it)
    if (!it.value().is_object() && !is_table_of_objects(it.value())) scalars[it.key()] = it.value();
  if (!scalars.empty()) {
    html << "<h2>" << html_escape(heading) << "</h2>\n<table>\n";
    for (auto it = scalars.begin(); it != scalars.end(); ++it)
      html << "<tr><th>" << html_escape(it.key()) << "</th>" << cell(it.value()) << "</tr>\n";
    html << "</table>\n";
  }
  for (auto it = metrics.begin(); it != metrics.end(); ++it) {
    if (it.value().is_object()) {
      write_metrics(html, it.value(), it.key());
    } else if (is_table_of_objects(it.value())) {
      html << "<h2>" << html_escape(it.key()) << "</h2>\n";
      write_object_array_table(html, it.value());
    }
  }
}

std::vector<ReportFigure> write_figures(const std::filesystem::path& folder,
                                        const ReportInput& input) {
  std::vector<ReportFigure> figures;
  auto path = [&](const std::string& file) { return (folder / file).string(); };
  if (input.prediction_grid) {
    figures.push_back({"prediction_grid.png",
                       "Test images: actual / predicted (confidence); wrong predictions in red"});
    draw_prediction_grid(input.prediction_grid->samples, input.prediction_grid->options,
                         path(figures.back().file));
  }
  if (input.confusion_matrix) {
    figures.push_back({"confusion_matrix.png", "Confusion matrix: rows actual, columns predicted"});
    draw_confusion_matrix(*input.confusion_matrix, path(figures.back().file));
  }
  if (input.reliability) {
    figures.push_back(
        {"reliability.png",
         "Reliability: accuracy against confidence per bin, and predictions per bin"});
    draw_reliability_diagram(*input.reliability, path(figures.back().file));
  }
  if (input.scatter) {
    figures.push_back({"predicted_vs_actual.png", "Predicted against actual values, with y = x"});
    draw_regression_scatter(*input.scatter, path(figures.back().file));
  }
  return figures;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.flush()) throw Error(ErrorKind::kIo, "cannot write " + path);
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

ReportFiles write_report(const std::string& folder, const ReportInput& input) {
  if (!input.metrics.is_object())
    throw Error(ErrorKind::kInvalidArgument, "report metrics must be a JSON object, got " +
                                                 std::string(input.metrics.type_name()));
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw Error(ErrorKind::kIo, "cannot create " + folder + ": " + ec.message());

  ReportFiles files;
  files.folder = folder;
  files.figures = write_figures(folder, input);
  files.json_path = (std::filesystem::path(folder) / "report.json").string();
  files.html_path = (std::filesystem::path(folder) / "index.html").string();

  json figure_list = json::array();
  for (const ReportFigure& f : files.figures)
    figure_list.push_back({{"file", f.file}, {"caption", f.caption}});
  const json report = {
      {"title", input.title}, {"metrics", input.metrics}, {"figures", figure_list}};
  write_text_file(files.json_path, report.dump(2) + "\n");

  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
       << html_escape(input.title) << "</title>\n<style>\n"
       << kStyle << "</style>\n</head>\n<body>\n<h1>" << html_escape(input.title) << "</h1>\n";
  write_metrics(html, input.metrics, "Metrics");
  for (const ReportFigure& f : files.figures)
    html << "<figure>\n<img src=\"" << html_escape(f.file) << "\" alt=\"" << html_escape(f.caption)
         << "\">\n<figcaption>" << html_escape(f.caption) << "</figcaption>\n</figure>\n";
  html << "<p><a href=\"report.json\">report.json</a>: the same metrics, for scripts.</p>\n"
       << "</body>\n</html>\n";
  write_text_file(files.html_path, html.str());
  return files;
}

}  // namespace infera::report
