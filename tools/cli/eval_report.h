// Text output of `infera eval`: the metrics of the task, per-class tables, the confusion matrix,
// the most confident mistakes, and a progress display.
#pragma once

#include <cstdint>
#include <cstdio>

#include "eval/evaluator.h"

namespace infera::cli {

void print_eval_report(std::FILE* out, const EvalResult& result);
void print_confident_mistakes(std::FILE* out, const EvalResult& result, size_t count);

// On a terminal a bar redrawn in place; otherwise a plain line every 10%.
class EvalProgress {
 public:
  explicit EvalProgress(std::FILE* out);
  void update(int64_t done, int64_t total);
  void finish();

 private:
  std::FILE* out_;
  bool tty_;
  int last_tenth_ = 0;
  bool drawn_ = false;
};

}  // namespace infera::cli
