// write_report: the folder holds exactly the figures asked for, index.html shows each of them
// and the metrics, report.json round-trips the metrics.
#include "report/html_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "infera/error.h"

namespace infera::report {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every src="..." in the page.
std::set<std::string> image_sources(const std::string& html) {
  std::set<std::string> sources;
  const std::regex src_attr("<img src=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), src_attr);
       it != std::sregex_iterator(); ++it)
    sources.insert((*it)[1]);
  return sources;
}

fs::path fresh_folder(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "infera_report_html_test" / name;
  fs::remove_all(dir);
  return dir;
}

Image grey_square() {
  Image img;
  img.width = img.height = 8;
  img.channels = 1;
  img.samples8.assign(64, 128);
  return img;
}

ReportInput full_input() {
  ReportInput input;
  input.title = "model <on> test & more";
  input.metrics = {
      {"accuracy", 0.9095},
      {"images", 10000},
      {"per_class", {{{"class", "Bag"}, {"f1", 0.97}}, {{"class", "Shirt"}, {"f1", 0.71}}}}};
  input.prediction_grid =
      PredictionGridInput{{{grey_square(), "Bag", "Bag", 0.9}}, {.rows = 1, .cols = 2}};
  input.confusion_matrix = ConfusionMatrixInput{{"Bag", "Shirt"}, {9, 1, 2, 8}};
  input.reliability = ReliabilityInput{{{0.5, 1.0, 20, 0.85, 0.9}}, 0.05};
  input.scatter = ScatterInput{.actual = {1, 2}, .predicted = {1.1, 1.8}};
  return input;
}

TEST(WriteReport, IndexShowsEveryFigureWrittenAndTheMetrics) {
  const fs::path dir = fresh_folder("full");
  const ReportFiles files = write_report(dir.string(), full_input());
  ASSERT_EQ(files.figures.size(), 4u);
  const std::string html = read_text(files.html_path);
  std::set<std::string> written;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".png") written.insert(entry.path().filename().string());
  EXPECT_EQ(written, (std::set<std::string>{"prediction_grid.png", "confusion_matrix.png",
                                            "reliability.png", "predicted_vs_actual.png"}));
  EXPECT_EQ(image_sources(html), written);
  EXPECT_NE(html.find("<td class=\"number\">0.9095</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>Shirt</td><td class=\"number\">0.71</td>"), std::string::npos);
  EXPECT_NE(html.find("model &lt;on&gt; test &amp; more"), std::string::npos);
  // Self-contained: nothing fetched from elsewhere.
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);

  const nlohmann::json report = nlohmann::json::parse(read_text(files.json_path));
  EXPECT_EQ(report["metrics"], full_input().metrics);
  EXPECT_EQ(report["figures"].size(), 4u);
}

TEST(WriteReport, OnlyFiguresGivenAreWrittenAndReferenced) {
  const fs::path dir = fresh_folder("partial");
  ReportInput input = full_input();
  input.prediction_grid.reset();
  input.scatter.reset();
  const ReportFiles files = write_report(dir.string(), input);
  const std::string html = read_text(files.html_path);
  EXPECT_EQ(image_sources(html),
            (std::set<std::string>{"confusion_matrix.png", "reliability.png"}));
  EXPECT_FALSE(fs::exists(dir / "prediction_grid.png"));
  EXPECT_FALSE(fs::exists(dir / "predicted_vs_actual.png"));
}

TEST(WriteReport, RefusesMetricsThatAreNotAnObject) {
  ReportInput input;
  input.metrics = nlohmann::json::array({1, 2});
  EXPECT_THROW(write_report(fresh_folder("bad").string(), input), Error);
}

}  // namespace
}  // namespace infera::report
