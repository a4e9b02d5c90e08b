// Regression metrics on de-normalised values, per output and averaged over outputs.
#include <cmath>
#include <limits>
#include <string>

#include "eval/metrics.h"
#include "infera/error.h"

namespace infera {

RegressionMetrics regression_metrics(const std::vector<EvaluatedSample>& samples, int outputs) {
  RegressionMetrics m;
  m.outputs = outputs;
  m.samples = static_cast<int64_t>(samples.size());
  for (const EvaluatedSample& s : samples)
    if (static_cast<int>(s.target_values.size()) != outputs ||
        static_cast<int>(s.predicted_values.size()) != outputs)
      throw Error(ErrorKind::kInvalidArgument, s.source + ": expected " + std::to_string(outputs) +
                                                   " target and predicted values");
  const double n = static_cast<double>(samples.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t o = 0; o < static_cast<size_t>(outputs); ++o) {
    double target_sum = 0, absolute = 0, squared = 0;
    for (const EvaluatedSample& s : samples) {
      const double error = static_cast<double>(s.target_values[o]) - s.predicted_values[o];
      target_sum += s.target_values[o];
      absolute += std::abs(error);
      squared += error * error;
    }
    const double target_mean = target_sum / n;
    double spread = 0;  // total sum of squares around the mean
    for (const EvaluatedSample& s : samples) {
      const double d = s.target_values[o] - target_mean;
      spread += d * d;
    }
    RegressionOutputMetrics r;
    r.mae = samples.empty() ? nan : absolute / n;
    r.rmse = samples.empty() ? nan : std::sqrt(squared / n);
    r.r2 = samples.empty() ? nan : spread != 0 ? 1 - squared / spread : squared == 0 ? 1.0 : 0.0;
    m.per_output.push_back(r);
    m.mean.mae += r.mae / outputs;
    m.mean.rmse += r.rmse / outputs;
    m.mean.r2 += r.r2 / outputs;
  }
  return m;
}

}  // namespace infera
