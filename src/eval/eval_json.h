// An EvalResult as JSON (what `infera eval --json FILE` writes): every metric of the task,
// the confusion matrix and calibration bins; with `samples`, one object per sample too.
// NaN (undefined metrics, e.g. ROC AUC with one class) is written as null.
#pragma once

#include <nlohmann/json.hpp>

#include "eval/evaluator.h"

namespace infera {

nlohmann::json eval_result_to_json(const EvalResult& result, bool samples);

}  // namespace infera
