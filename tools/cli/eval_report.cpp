#include "eval_report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace infera::cli {
namespace {

std::string label_name(const EvalResult& result, int index) {
  if (index >= 0 && static_cast<size_t>(index) < result.labels.size()) return result.labels[index];
  return std::to_string(index);
}

int name_width(const EvalResult& result, size_t count) {
  int width = 5;
  for (size_t i = 0; i < count; ++i)
    width = std::max(width, static_cast<int>(label_name(result, static_cast<int>(i)).size()));
  return std::min(width, 24);
}

void print_scores_table(std::FILE* out, const EvalResult& result, const char* heading,
                        const std::vector<ClassScores>& rows,
                        const std::vector<std::pair<std::string, ClassScores>>& totals) {
  int width = name_width(result, rows.size());
  for (const auto& total : totals) width = std::max(width, static_cast<int>(total.first.size()));
  std::fprintf(out, "\n%-*s  precision  recall     f1  support\n", width, heading);
  auto line = [&](const std::string& name, const ClassScores& s) {
    std::fprintf(out, "%-*.*s  %9.4f  %6.4f  %6.4f  %7lld\n", width, width, name.c_str(),
                 s.precision, s.recall, s.f1, static_cast<long long>(s.support));
  };
  for (size_t i = 0; i < rows.size(); ++i) line(label_name(result, static_cast<int>(i)), rows[i]);
  for (const auto& [name, s] : totals) line(name, s);
}

void print_confusion(std::FILE* out, const EvalResult& result, const ClassificationMetrics& m) {
  const int width = std::min(name_width(result, m.per_class.size()), 12);
  std::fprintf(out, "\nconfusion matrix (rows: true class, columns: predicted)\n%*s", width, "");
  for (int c = 0; c < m.classes; ++c) std::fprintf(out, " %6d", c);
  std::fputc('\n', out);
  for (int t = 0; t < m.classes; ++t) {
    std::fprintf(out, "%-*.*s", width, width, label_name(result, t).c_str());
    for (int p = 0; p < m.classes; ++p)
      std::fprintf(out, " %6lld", static_cast<long long>(m.confusion[t][p]));
    std::fputc('\n', out);
  }
}

void print_classification(std::FILE* out, const EvalResult& result,
                          const ClassificationMetrics& m) {
  std::fprintf(out, "correct: %lld\naccuracy: %.4f (%lld/%lld)\n",
               static_cast<long long>(m.correct), m.accuracy, static_cast<long long>(m.correct),
               static_cast<long long>(m.samples));
  std::fprintf(out, "top-%d accuracy: %.4f\nlog loss: %.4f\n", m.top_k, m.top_k_accuracy,
               m.log_loss);
  std::fprintf(out, "expected calibration error (%d bins): %.4f\n", kCalibrationBins,
               m.expected_calibration_error);
  if (m.min_confidence > 0)
    std::fprintf(out, "min_confidence %.3g: %lld rejected (%.2f%%), accuracy on the rest %.4f\n",
                 m.min_confidence, static_cast<long long>(m.rejected), 100 * m.rejected_rate,
                 m.accuracy_on_accepted);
  print_scores_table(out, result, "class", m.per_class,
                     {{"macro avg", m.macro}, {"weighted avg", m.weighted}});
  print_confusion(out, result, m);
}

}  // namespace

void print_eval_report(std::FILE* out, const EvalResult& result) {
  std::fprintf(out, "evaluated: %zu records", result.samples.size());
  if (result.skipped) std::fprintf(out, " (%lld skipped)", static_cast<long long>(result.skipped));
  std::fprintf(out, " in %.2f s (%.0f records/s)\n", result.seconds,
               static_cast<double>(result.samples.size()) / std::max(result.seconds, 1e-9));
  if (result.binary) {
    const BinaryMetrics& b = *result.binary;
    std::fprintf(
        out, "ROC AUC: %.4f\naverage precision (PR AUC): %.4f\naccuracy at threshold %.3g: %.4f\n",
        b.roc_auc, b.average_precision, b.threshold, b.accuracy);
  }
  if (result.classification) print_classification(out, result, *result.classification);
  if (result.multilabel) {
    const MultilabelMetrics& m = *result.multilabel;
    std::fprintf(out, "subset accuracy: %.4f\nmicro F1: %.4f\nmacro F1: %.4f\n", m.subset_accuracy,
                 m.micro.f1, m.macro_f1);
    print_scores_table(out, result, "label", m.per_label, {{"micro avg", m.micro}});
  }
  if (result.regression) {
    const RegressionMetrics& r = *result.regression;
    std::fprintf(out, "MAE: %.6g\nRMSE: %.6g\nR2: %.6f\n", r.mean.mae, r.mean.rmse, r.mean.r2);
    if (r.outputs > 1)
      for (int o = 0; o < r.outputs; ++o)
        std::fprintf(out, "  output %s: MAE %.6g  RMSE %.6g  R2 %.6f\n",
                     label_name(result, o).c_str(), r.per_output[o].mae, r.per_output[o].rmse,
                     r.per_output[o].r2);
  }
}

void print_confident_mistakes(std::FILE* out, const EvalResult& result, size_t count) {
  const std::vector<const EvaluatedSample*> wrong = most_confident_mistakes(result.samples, count);
  std::fprintf(out, "\nmost confident mistakes (%zu):\n", wrong.size());
  for (const EvaluatedSample* s : wrong)
    std::fprintf(out, "  %s: true %s, predicted %s (%.4f)\n", s->source.c_str(),
                 label_name(result, s->target).c_str(), label_name(result, s->predicted).c_str(),
                 s->confidence);
}

EvalProgress::EvalProgress(std::FILE* out) : out_(out), tty_(isatty(fileno(out)) != 0) {}

void EvalProgress::update(int64_t done, int64_t total) {
  if (tty_) {
    constexpr int kWidth = 40;
    if (total > 0) {
      const int filled = static_cast<int>(kWidth * std::min<int64_t>(done, total) / total);
      std::fprintf(out_, "\r[%s%s] %lld/%lld", std::string(filled, '#').c_str(),
                   std::string(kWidth - filled, ' ').c_str(), static_cast<long long>(done),
                   static_cast<long long>(total));
    } else {
      std::fprintf(out_, "\r%lld records", static_cast<long long>(done));
    }
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  if (total <= 0) return;
  const int tenth = static_cast<int>(10 * std::min<int64_t>(done, total) / total);
  if (tenth <= last_tenth_) return;
  last_tenth_ = tenth;
  std::fprintf(out_, "progress: %d%% (%lld/%lld)\n", tenth * 10, static_cast<long long>(done),
               static_cast<long long>(total));
}

void EvalProgress::finish() {
  if (tty_ && drawn_) std::fputc('\n', out_);
}

}  // namespace infera::cli
